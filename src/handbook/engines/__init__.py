"""Site engines: adapters that turn a Markdown docs tree and settings into a static site."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Protocol

from ..site import NavItem


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


ENGINES = ("mkdocs", "zensical")


def get_engine(name: str) -> SiteEngine:
    """Return the engine called `name`."""
    if name == "mkdocs":
        from .mkdocs import build_site

        return build_site
    if name == "zensical":
        from .zensical import build_site as build_zensical

        return build_zensical
    raise ValueError(f"unknown engine {name!r}; expected one of: {', '.join(ENGINES)}")
