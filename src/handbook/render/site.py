"""Render the site, pure: the program becomes a tree of Markdown pages and a navigation.

The pages, their order and their sections come from the page registry (`handbook.plan.pages`),
and each page's Markdown from the build's `Edition`, which the book (`render.book`) prints too.
The site also offers the program calendar (no personal data) beside the PDFs for download.

With program.yaml's `previous:`, the page of what changed since that version and the downloads
page (whether the agreement's text changed) are rendered with the comparison the stage made
(`with_changes`); the edition handed on holds them, so the book prints the same downloads page.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional, Union

from handbook.load.project import Loaded
from handbook.plan.changes import Compared, SectionChanges, by_section, change_text
from handbook.plan.pages import PROGRAM_CALENDAR, SITE_ASSETS, Page
from handbook.render.calendars import program_calendar
from handbook.render.edition import Edition, page_markdown, template_context
from handbook.render.edition import edition as edition_of
from handbook.render.templating import environment, plain

NavItem = Union[str, dict[str, Any]]


@dataclass(frozen=True)
class SiteTree:
    """The rendered site: Markdown files by path, other files by path, the navigation, and the
    edition it was rendered from (which the PDFs of the same build print)."""

    pages: dict[str, str]
    files: dict[str, bytes]
    nav: list[NavItem]
    edition: Edition


PACKAGE = Path(__file__).parents[1]  # the site's static assets are in its assets/ folder


def title_block(title: str) -> str:
    """Return front matter naming the page's title, HTML-escaped.

    Themes print a page's title into <title> raw (mkdocs-material unescapes it on the way), so a
    title such as `</title><script>` would run; the title from front matter is printed as given.
    """
    escaped = html.escape(" ".join(title.split()), quote=False)
    return f"---\ntitle: {json.dumps(escaped, ensure_ascii=False)}\n---\n\n"


NAV_GROUP = 50  # most entries at one level of a section's navigation


def _grouped(entries: list[NavItem]) -> list[NavItem]:
    """Return a section's entries with the pages after its first in numbered groups when there are many.

    With the theme's pruned navigation a page carries its own group's links and the titles of
    the groups around it, so no page's navigation grows with the number of pages.
    """
    first, rest = entries[:1], entries[1:]
    return first + _groups(rest, 1) if len(rest) > NAV_GROUP else entries


def _groups(entries: list[NavItem], number: int) -> list[NavItem]:
    """Split `entries` (the first is page `number`) into at most NAV_GROUP groups, nested as needed."""
    if len(entries) <= NAV_GROUP:
        return entries
    size = NAV_GROUP
    while len(entries) > size * NAV_GROUP:
        size *= NAV_GROUP
    return [{f"{number + start}–{number + min(start + size, len(entries)) - 1}":
             _groups(entries[start:start + size], number + start)} for start in range(0, len(entries), size)]


def navigation(pages: tuple[Page, ...]) -> list[NavItem]:
    """Return the site's navigation: top-level pages in order, a section's pages grouped under its title."""
    nav: list[NavItem] = []
    section: list[NavItem] = []
    for number, page in enumerate(pages):
        if page.section:
            section.append({page.title: page.path})
            if number + 1 == len(pages) or pages[number + 1].section != page.section:
                nav.append({page.section: _grouped(section)})
                section = []
        else:
            nav.append({page.title: page.path})
    return nav


CHANGES_PAGES = ("changes", "downloads")  # the pages that show the comparison with the version before
LEFT_OUT = ("cohort",)  # personal data: the site never says anything of the cohort file


def _code(path: str) -> str:
    """Return a path of program.yaml as inline code (a key of a mapping the coordinator names may hold anything)."""
    path = " ".join(path.split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", path)), default=0) + 1)
    return f"{fence} {path} {fence}" if "`" in path else f"{fence}{path}{fence}"


def change_lines(section: SectionChanges) -> list[str]:
    """Return the Markdown list of what changed in a section: an item per line, its changes below it."""
    lines = []
    for item in section.items:
        if item.kind != "changed" or (len(item.changes) == 1 and item.changes[0].path == item.path):
            lines += [f"- {change_text(change, _code(change.path), plain, shorten=True)}" for change in item.changes]
            continue
        lines.append(f"- {plain(item.title)} ({_code(item.path)})" if item.title else f"- {_code(item.path)}")
        for change in item.changes:
            inside = change.path[len(item.path):].lstrip(".") or change.path
            lines.append(f"    - {change_text(change, _code(inside), plain, shorten=True)}")
    return lines


def with_changes(loaded: Loaded, edition: Edition) -> Edition:
    """Return the edition with its page of what changed and its downloads page rendered with the comparison
    with the version before (program.yaml's `previous:`); the edition as it is without one.

    In a further language the items are named as its translation names them; the fingerprints
    are the source language's, which its site shows only in that language's own pages.
    """
    compared: Optional[Compared] = getattr(loaded, "previous", None)
    if compared is None:
        return edition
    in_source = getattr(loaded, "origin", None) is None
    sections = by_section(compared, loaded.program, leave_out=LEFT_OUT)
    context = template_context(loaded, edition.fingerprint, edition.downloads)
    context.update(previous=compared.old.program, agreement_changed=compared.agreement_changed,
                   previous_fingerprints=(compared.old_fingerprint, compared.new_fingerprint) if in_source else (),
                   changed_sections=[(section, change_lines(section)) for section in sections])
    env = environment("site", loaded.layout.templates)
    markdown = dict(edition.markdown)
    for page in edition.pages:
        if page.id in CHANGES_PAGES:
            markdown[page.path] = page_markdown(env, loaded, page, context)
    return replace(edition, markdown=markdown)


def render_site(loaded: Loaded, edition: Optional[Edition] = None) -> SiteTree:
    """Return the site's Markdown tree and navigation for a loaded project.

    `edition` holds the facts of the build (computed here when not given).
    """
    edition = with_changes(loaded, edition or edition_of(loaded))
    pages: dict[str, str] = {}
    for page in edition.pages:
        # The home page's <title> is the site name alone, which the engine escapes.
        block = title_block(page.title) if page.path != "index.md" else ""
        pages[page.path] = block + edition.markdown[page.path]
    files = {path: (PACKAGE / path).read_bytes() for path in SITE_ASSETS}
    files.update({asset.name: asset.data for asset in loaded.assets})
    # The same bytes as build/calendar/program.ics (the cohort gives only the cycle's planned end, no names).
    files[PROGRAM_CALENDAR] = program_calendar(loaded.program, getattr(loaded, "cohort", None),
                                               getattr(loaded, "origin", None))
    return SiteTree(pages, files, navigation(edition.pages), edition)
