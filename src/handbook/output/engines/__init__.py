"""Site engines: adapters that turn a Markdown docs tree and settings into a static site.

Here too: the settings every engine gets from the generator (`owned_settings`), among them the
theme's language, which follows `program.language` as far as the theme knows it.
"""

from __future__ import annotations

import html
import importlib.util
from pathlib import Path
from typing import Any, Protocol

from handbook.i18n import _
from handbook.load.sitesettings import REQUIRED_EXTENSIONS
from handbook.render.site import NavItem


class SiteEngine(Protocol):
    """Builds `site_dir` from a docs tree, the coordinator's mkdocs.yml and what the generator owns."""

    def __call__(self, *, docs_dir: Path, site_dir: Path, settings: Path, site_name: str, language: str,
                 nav: list[NavItem], extra_css: list[str]) -> None: ...


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


def owned_settings(raw: dict[str, Any], *, site_name: str, language: str, nav: list[NavItem],
                   extra_css: list[str]) -> dict[str, Any]:
    """Return the settings the generator owns, merged with the coordinator's mkdocs.yml `raw`.

    No web fonts (no request to another host), the program's language, a pruned navigation, the
    extensions our pages need, our stylesheet after theirs, escaped titles, and URLs that work from disk.
    """
    theme = raw.get("theme") or {"name": "material"}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme.update(font=False, language=theme_language(language, theme.get("name")))
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
