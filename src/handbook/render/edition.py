"""One edition of the handbook: what the site, the book and every PDF of a build share.

Computed once per build from the loaded project and handed to each renderer: the pages of the
handbook (from the registry, `handbook.plan.pages`) and the Markdown of each, rendered once from
its site template, so the site and the book print the same text; the PDFs offered for download;
and the agreement's fingerprint, which the site's downloads page, the book and every agreement
print.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import jinja2

from handbook.load.project import Loaded
from handbook.plan.pages import Download, Page, downloads, handbook_pages
from handbook.plan.standards import assess
from handbook.render.printing import agreement_fingerprint
from handbook.render.reference import reference_sections
from handbook.render.templating import environment, plain, render


@dataclass(frozen=True)
class Edition:
    """The pages of the handbook and their Markdown, the PDFs offered for download, the agreement's fingerprint."""

    pages: tuple[Page, ...]
    markdown: Mapping[str, str]  # by site path: the page as its template renders it (or as written), no front matter
    downloads: tuple[Download, ...]
    fingerprint: str  # of the agreement's text, e.g. `3f9a-c21b-07e4`


def template_context(loaded: Loaded, fingerprint: str, offered: tuple[Download, ...]) -> dict[str, Any]:
    """Return what every site template sees besides its page: the program and the build's facts."""
    program = loaded.program
    return {"program": program, "info": program.program, "fingerprint": fingerprint, "downloads": offered,
            "standards": assess(program), "sections": reference_sections()}


def page_markdown(env: jinja2.Environment, loaded: Loaded, page: Page, context: dict[str, Any]) -> str:
    """Return a page's Markdown without front matter: from its site template, or as written in content/."""
    if page.content is not None:
        body = page.content.body
        return body if body.lstrip().startswith("# ") else f"# {plain(page.title)}\n\n{body}"
    assert page.template is not None
    return render(env, page.template, loaded.layout.templates, page=page, **context, **page.context)


def edition(loaded: Loaded) -> Edition:
    """Return the edition of a loaded project: renders the blank agreement (for its fingerprint) and every page."""
    program = loaded.program
    pages = handbook_pages(program, loaded.pages)
    fingerprint = agreement_fingerprint(program)
    offered = downloads(program)
    env = environment("site", loaded.layout.templates)
    context = template_context(loaded, fingerprint, offered)
    markdown = {page.path: page_markdown(env, loaded, page, context) for page in pages}
    return Edition(pages, markdown, offered, fingerprint)
