"""Site engines: adapters that turn a Markdown docs tree and settings into a static site."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Protocol

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


def owned_settings(raw: dict[str, Any], *, site_name: str, language: str, nav: list[NavItem],
                   extra_css: list[str]) -> dict[str, Any]:
    """Return the settings the generator owns, merged with the coordinator's mkdocs.yml `raw`.

    No web fonts (no request to another host), the program's language, a pruned navigation, the
    extensions our pages need, our stylesheet after theirs, escaped titles, and URLs that work from disk.
    """
    theme = raw.get("theme") or {"name": "material"}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme.update(font=False, language=language.split("-")[0])
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
    return {"site_name": html.escape(site_name, quote=False), "theme": theme, "markdown_extensions": extensions,
            "extra_css": list(raw.get("extra_css") or []) + extra_css, "nav": escape_nav(nav),
            "use_directory_urls": False}


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
