"""Site engines: adapters that turn a Markdown docs tree and settings into a static site.

Here too: the settings every engine gets from the generator (`owned_settings`), among them the
theme's language, which follows `program.language` as far as the theme knows it; and, for a site
built in several languages (one engine build per language, each in its folder), the languages of
the language switch (`SiteLanguage`) and the switch's links from one page (`language_switch`).
"""

from __future__ import annotations

import html
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence

from handbook.i18n import N_, _
from handbook.load.sitesettings import REQUIRED_EXTENSIONS
from handbook.render.site import NavItem


@dataclass(frozen=True)
class SiteLanguage:
    """One language of a site built in several: its tag (`de`), its name in itself (`Deutsch`), its
    folder below the site's root (`de`; "" for the source language) and its pages (`training/x.html`)."""

    tag: str
    name: str
    folder: str
    pages: frozenset[str]

    def home(self) -> str:
        """Return the path of this language's home page from the site's root: `de/index.html`."""
        return f"{self.folder}/index.html" if self.folder else "index.html"


def _relative(target: str, start: str) -> str:
    """Return the path `target` relative to the folder `start`, both below the same root ("" is the root)."""
    start_parts = [part for part in start.split("/") if part]
    target_parts = target.split("/")
    common = 0
    while common < min(len(start_parts), len(target_parts) - 1) and start_parts[common] == target_parts[common]:
        common += 1
    return "/".join([".."] * (len(start_parts) - common) + target_parts[common:])


def language_switch(languages: Sequence[SiteLanguage], current: SiteLanguage, page: str) -> list[dict[str, str]]:
    """Return the language switch of `page` (`training/x.html`) of the `current` language's build, as
    mkdocs-material's `extra.alternate`: each language (the current one too), linking to the same page in
    it, or to its home page where it has no such page. The links are relative to the page, so that they
    work from disk and under any server path: from de/training/x.html the source's is ../../training/x.html.
    """
    here = "/".join([current.folder, *page.split("/")[:-1]]).strip("/")
    switch = []
    for language in languages:
        target = (f"{language.folder}/{page}" if language.folder else page) if page in language.pages \
            else language.home()
        switch.append({"name": language.name, "link": _relative(target, here), "lang": language.tag})
    return switch


class SiteEngine(Protocol):
    """Builds `site_dir` from a docs tree, the coordinator's mkdocs.yml and what the generator owns.

    `languages` is every language of a site built in several (the switch leads to them; `language`
    is the one of this build); empty for a site in one language.
    """

    def __call__(self, *, docs_dir: Path, site_dir: Path, settings: Path, site_name: str, language: str,
                 nav: list[NavItem], extra_css: list[str], languages: Sequence[SiteLanguage] = ()) -> None: ...


def escape_nav(nav: list[NavItem]) -> list[NavItem]:
    """Return `nav` with titles HTML-escaped: MkDocs themes print nav titles and the site name raw."""
    escaped: list[NavItem] = []
    for item in nav:
        if isinstance(item, dict):
            escaped.append({html.escape(title, quote=False): escape_nav(target) if isinstance(target, list) else target
                            for title, target in item.items()})
        else:
            escaped.append(item)
    return escaped


def extension_names(extensions: Any) -> set[str]:
    """Return the names of Markdown extensions listed as names or as {name: options}."""
    names: set[str] = set()
    for item in extensions or []:
        names.update(item if isinstance(item, dict) else [item])
    return names


PRUNE = "navigation.prune"

# Language tags whose nearest language mkdocs-material has under another name.
_MATERIAL_ALIASES = {"no": "nb"}


def _material_languages() -> set[str]:
    """Return the languages mkdocs-material has its words for (e.g. de, pt-BR, zh-Hant), found without importing it."""
    spec = importlib.util.find_spec("material")
    if spec is None or not spec.submodule_search_locations:
        return set()
    folder = Path(next(iter(spec.submodule_search_locations))) / "templates" / "partials" / "languages"
    return {path.stem for path in folder.glob("*.html")}


def theme_language(language: str, theme_name: Any) -> str:
    """Return the theme's language for the program's BCP 47 tag: `de-CH` -> de, `pt-BR` -> pt-BR.

    mkdocs-material fails on a language it has no words for, so one it lacks becomes English (its
    `<html lang>` and its search language follow this value; search falls back to English where
    lunr has no stemmer). Other themes get the base language, as they expect.
    """
    parts = language.split("-")
    base = parts[0].lower()
    if theme_name != "material":
        return base
    known = _material_languages()
    candidates = [f"{base}-{parts[1]}" if len(parts) > 1 else "", base, _MATERIAL_ALIASES.get(base, "")]
    return next((tag for tag in candidates if tag and tag in known), "en") if known else base


# The names of the colour scheme toggles in the mkdocs.yml that `handbook init` writes: the generator's
# words, shown in the program's language (a name of the coordinator's own is printed as written).
TOGGLE_NAMES = (N_("Switch to dark mode"), N_("Switch to light mode"))


def _translated_toggle(scheme: Any) -> Any:
    """Return a palette entry with its toggle's name in the current language, when it is one of handbook's."""
    toggle = scheme.get("toggle") if isinstance(scheme, dict) else None
    if not isinstance(toggle, dict) or toggle.get("name") not in TOGGLE_NAMES:
        return scheme
    return {**scheme, "toggle": {**toggle, "name": html.escape(_(toggle["name"]), quote=False)}}


def owned_settings(raw: dict[str, Any], *, site_name: str, language: str, nav: list[NavItem],
                   extra_css: list[str]) -> dict[str, Any]:
    """Return the settings the generator owns, merged with the coordinator's mkdocs.yml `raw`.

    No web fonts (no request to another host), the program's language, a pruned navigation, the
    extensions our pages need, our stylesheet after theirs, escaped titles, and URLs that work from disk.
    """
    theme = raw.get("theme") or {"name": "material"}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme.update(font=False, language=theme_language(language, theme.get("name")))
    if isinstance(theme.get("palette"), list):  # the toggles' names handbook's mkdocs.yml writes, in the language
        theme["palette"] = [_translated_toggle(scheme) for scheme in theme["palette"]]
    if theme.get("name") == "material":
        # Each page carries only the part of the navigation that leads to it, so a page's size does
        # not grow with the number of pages (site.py groups long sections to keep that part short).
        features = list(theme.get("features") or [])
        theme["features"] = features if PRUNE in features else [*features, PRUNE]
    else:
        theme["highlightjs"] = False  # MkDocs' own themes would load highlight.js from a CDN
    extensions = list(raw.get("markdown_extensions") or [])
    present = extension_names(extensions)
    extensions += [e for e in REQUIRED_EXTENSIONS if e not in present]
    owned = {"site_name": html.escape(site_name, quote=False), "theme": theme, "markdown_extensions": extensions,
             "extra_css": list(raw.get("extra_css") or []) + extra_css, "nav": escape_nav(nav),
             "use_directory_urls": False}
    if "copyright" not in raw:  # the footer, in the program's language unless mkdocs.yml words it
        owned["copyright"] = html.escape(_("Made with handbook. Printed copies are valid only with the version "
                                           "named in their footer."), quote=False)
    extra = raw.get("extra") if isinstance(raw.get("extra"), dict) else {}
    if theme.get("name") == "material" and theme["language"] != "en" and "generator" not in extra:
        # mkdocs-material writes "Made with Material for MkDocs" in English whatever the language
        owned["extra"] = {**extra, "generator": False}
    return owned


ENGINES = ("mkdocs", "zensical")


def get_engine(name: str) -> SiteEngine:
    """Return the engine called `name`."""
    if name == "mkdocs":
        from handbook.output.engines.mkdocs import build_site

        return build_site
    if name == "zensical":
        from handbook.output.engines.zensical import build_site as build_zensical

        return build_zensical
    raise ValueError(f"unknown engine {name!r}; expected one of: {', '.join(ENGINES)}")
