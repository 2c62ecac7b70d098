"""Site engines: adapters that turn a Markdown docs tree and settings into a static site."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..site import NavItem


class SiteEngine(Protocol):
    """Builds `site_dir` from a docs tree, the coordinator's mkdocs.yml and what the generator owns."""

    def __call__(self, *, docs_dir: Path, site_dir: Path, settings: Path, site_name: str, language: str,
                 nav: list[NavItem], extra_css: list[str]) -> None: ...


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
