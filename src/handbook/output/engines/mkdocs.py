"""The MkDocs engine (MkDocs 1.6 with mkdocs-material): imported only when a site is built.

A site in several languages is one MkDocs build per language, each into its own folder. In each,
the language switch (mkdocs-material's `extra.alternate`) leads to the same page in the other
languages: the `handbook/languages` plugin sets it page by page, replacing any `extra.alternate`
of the coordinator's mkdocs.yml (which a site in one language keeps as written).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import urlsplit

from handbook.errors import EngineError, InputError, Problem
from handbook.load.sitesettings import (
    PythonName,
    Relative,
    SiteSettings,
    read_settings,
    resolve,
)
from handbook.output.engines import (
    SiteLanguage,
    extension_names,
    language_switch,
    owned_settings,
)
from handbook.render.sanitize import clean
from handbook.render.site import NavItem

# The Web Worker shim that lets search run from file:// (site.py ships it from handbook/assets/).
# Named here, the offline plugin does not add its own copy from a CDN.
WORKER_SHIM = "assets/iframe-worker.js"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _with_offline(plugins: Any) -> Any:
    """Return the coordinator's plugins with mkdocs-material's offline plugin added."""
    if plugins is None:
        plugins = ["search"]  # MkDocs' default when mkdocs.yml names no plugins
    if isinstance(plugins, dict):
        return plugins if "offline" in plugins else {**plugins, "offline": {}}
    return list(plugins) if "offline" in extension_names(plugins) else list(plugins) + ["offline"]


def _overrides(settings: SiteSettings, *, docs_dir: Path, site_dir: Path, site_name: str, language: str,
               nav: list[NavItem], extra_css: list[str], current: SiteLanguage | None = None) -> dict[str, Any]:
    """Return what the generator sets over the coordinator's settings when MkDocs builds.

    `current` is this build's language in a site of several: its pages are one folder down, so
    is its address (`site_url`, which canonical links and the sitemap are written from).
    """
    raw = settings.data
    owned = owned_settings(raw, site_name=site_name, language=language, nav=nav, extra_css=extra_css)
    extra = owned.get("extra") or (raw.get("extra") if isinstance(raw.get("extra"), dict) else {})
    if current is not None and current.folder and isinstance(raw.get("site_url"), str) and raw["site_url"]:
        owned["site_url"] = raw["site_url"].rstrip("/") + f"/{current.folder}/"
    return {
        **owned,
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        # Pages open from disk as well as from a server, search included: the offline plugin
        # writes the search index as a script, and the worker shim runs search from file://.
        "plugins": _with_offline(raw.get("plugins")),
        "extra": {**extra, "polyfills": [*(extra.get("polyfills") or []), WORKER_SHIM]},
        "strict": False,
    }


def _for_mkdocs(value: Any, config: Any) -> Any:
    """Return `value` with `!relative` values as MkDocs' own placeholders and Python names imported."""
    from mkdocs.utils.yaml import (
        ConfigDirPlaceholder,
        DocsDirPlaceholder,
        RelativeDirPlaceholder,
    )

    if isinstance(value, Relative):
        prefix, _, suffix = str(value).partition("/")
        if prefix == "$config_dir":
            return ConfigDirPlaceholder(config, suffix)
        if prefix == "$docs_dir":
            return DocsDirPlaceholder(config, suffix)
        return RelativeDirPlaceholder(config)
    if isinstance(value, PythonName):
        return resolve(value)
    if isinstance(value, dict):
        return {k: _for_mkdocs(v, config) for k, v in value.items()}
    if isinstance(value, list):
        return [_for_mkdocs(v, config) for v in value]
    return value


def _configure(settings: SiteSettings, overrides: dict[str, Any]) -> tuple[Any, list[Problem]]:
    """Return MkDocs' configuration of the settings and the generator's overrides, and what MkDocs finds wrong."""
    from mkdocs.config.defaults import MkDocsConfig

    config = MkDocsConfig(config_file_path=str(settings.path))
    config.load_dict(_for_mkdocs(settings.data, config))
    config.load_dict(_for_mkdocs(overrides, config))  # they carry the coordinator's extensions along
    errors, warnings = config.validate()
    return config, [settings.problem(key, str(message), "see MkDocs' documentation of this setting")
                    for key, message in [*errors, *warnings]]


@contextmanager
def _collecting() -> Iterator[_Collect]:
    """Collect what MkDocs logs (warnings and worse) instead of printing it."""
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(collect)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield collect
    finally:
        logger.removeHandler(collect)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def config_problems(settings: SiteSettings) -> list[Problem]:
    """Return what MkDocs finds wrong with `settings` as a build would configure them (the `check` stage)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    with tempfile.TemporaryDirectory(prefix="handbook-check-") as work:
        docs_dir = Path(work) / "docs"
        docs_dir.mkdir()
        overrides = _overrides(settings, docs_dir=docs_dir, site_dir=Path(work) / "site", site_name="handbook",
                               language="en", nav=[], extra_css=["assets/handbook.css"])
        with _collecting() as collect:
            problems = _configure(settings, overrides)[1]
    return problems + [Problem(settings.source.name, 0, 0, message) for message in collect.messages
                       if "MkDocs 2.0" not in message]


# A line holding only whitespace, unless inside <pre> or <textarea>, where it is content.
_BLANK_LINE = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>)|\n[ \t]*(?=\n)", re.S | re.I)


def _compact_plugin() -> Any:
    """Return a plugin that drops the blank lines the theme's templates print, keeping <pre> as it is."""
    from mkdocs.plugins import BasePlugin

    class Compact(BasePlugin):  # type: ignore[type-arg]
        def on_post_page(self, output: str, /, *, page: Any, config: Any) -> str:
            # The theme's navigation loops over every page of a section, even a pruned one, and
            # prints a blank line for each: without this a page's size grew with the number of pages.
            return _BLANK_LINE.sub(lambda m: m.group(1) or "", output)

    return Compact()


def _sanitize_plugin() -> Any:
    """Return a plugin that sanitises each page's HTML after every other plugin has run."""
    from mkdocs.plugins import BasePlugin, event_priority

    class SanitizePages(BasePlugin):  # type: ignore[type-arg]
        @event_priority(-100)
        def on_page_content(self, html: str, **_: Any) -> str:
            return clean(html)

    return SanitizePages()


class PageLink(str):
    """A link already relative to the page it is on: the theme's `url` filter prints it as it is."""


def _languages_plugin(languages: Sequence[SiteLanguage], current: SiteLanguage) -> Any:
    """Return a plugin that gives each page a language switch leading to the same page in every language."""
    from jinja2 import pass_context
    from mkdocs.plugins import BasePlugin
    from mkdocs.utils import is_error_template

    class LanguageSwitch(BasePlugin):  # type: ignore[type-arg]
        def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
            # The theme prints each link through `url`, which reads a relative path as one from the
            # site's root and loses the way up out of this language's folder (../../training/x.html).
            url = env.filters["url"]

            @pass_context
            def page_url(context: Any, value: Any) -> str:
                return str(value) if isinstance(value, PageLink) else url(context, value)

            env.filters["url"] = page_url
            return env

        def on_page_context(self, context: Any, /, *, page: Any, config: Any, nav: Any) -> Any:
            config.extra["alternate"] = [{**alt, "link": PageLink(alt["link"])}
                                         for alt in language_switch(languages, current, page.url)]
            return context

        def on_template_context(self, context: Any, /, *, template_name: str, config: Any) -> Any:
            # Pages of the theme's own (404.html) have no place in the navigation: the switch leads to
            # each language's home page. MkDocs writes an error page's links from the server's root
            # (or site_url's path), which for this language is its folder.
            root = urlsplit(config.site_url or "/").path
            if is_error_template(template_name):
                if current.folder and not config.site_url:
                    context["base_url"] = f"{root}{current.folder}/"
                top = root.removesuffix(f"{current.folder}/") if current.folder and config.site_url else root
                config.extra["alternate"] = [{"name": language.name, "link": f"{top}{language.home()}",
                                              "lang": language.tag} for language in languages]
            return context

        def on_post_page(self, output: str, /, *, page: Any, config: Any) -> str:
            # The switch lists every language; the one of this page is marked as the current one,
            # for screen readers (aria-current) and for the eye (handbook.css sets it in bold).
            return output.replace(f'hreflang="{current.tag}" class="md-select__link"',
                                  f'hreflang="{current.tag}" class="md-select__link" aria-current="true"', 1)

        def on_post_build(self, *, config: Any) -> None:
            # The theme's script fetches sitemap.xml from the folder of every hreflang link's page
            # (it expects links to language folders): a copy in each folder of pages answers it
            # where a server would answer 404 on every page view, and from disk a failed request.
            site = Path(config.site_dir)
            sitemap = site / "sitemap.xml"
            if sitemap.is_file():
                for folder in sorted({(site / page).parent for page in current.pages} - {site}):
                    shutil.copyfile(sitemap, folder / sitemap.name)

    return LanguageSwitch()


def build_site(*, docs_dir: Path, site_dir: Path, settings: Path, site_name: str, language: str,
               nav: list[NavItem], extra_css: list[str], languages: Sequence[SiteLanguage] = ()) -> None:
    """Build the site with MkDocs into `site_dir`, failing on any warning MkDocs logs.

    With `languages` (a site in several), this build is the one of `language`, with a language switch.
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, ConfigurationError

    # Read by handbook's safe reader, never by MkDocs' own loader (which would run Python tags).
    site_settings = read_settings(settings)
    name = site_settings.source.name
    current = next((entry for entry in languages if entry.tag == language), None) if len(languages) > 1 else None
    overrides = _overrides(site_settings, docs_dir=docs_dir, site_dir=site_dir, site_name=site_name,
                           language=language, nav=nav, extra_css=extra_css, current=current)
    with _collecting() as collect:
        try:
            config, problems = _configure(site_settings, overrides)
            if problems:
                raise InputError(problems)
            config.plugins["handbook/compact"] = _compact_plugin()
            if current is not None:
                config.plugins["handbook/languages"] = _languages_plugin(languages, current)
            # Added after loading: the coordinator's mkdocs.yml cannot remove or reorder it.
            config.plugins["handbook/sanitize"] = _sanitize_plugin()
            build(config)
        except ConfigurationError as exc:
            raise InputError([Problem(name, 0, 0, f"invalid site settings: {exc}",
                                      hint="compare with the mkdocs.yml that `handbook init` writes")]) from None
        except Abort as exc:
            raise InputError([Problem(name, 0, 0, f"the site engine stopped: {exc}")]) from None
    problems = [m for m in collect.messages if "MkDocs 2.0" not in m]
    if problems:
        raise EngineError("the site engine reported problems:\n" + "\n".join(f"  - {m}" for m in problems),
                          hint="a link in a content page may point to a page that does not exist")
