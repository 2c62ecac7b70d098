"""Render the handbook as a book, pure: the site's pages, from the same Markdown, laid out for paper.

Each page of the registry (`handbook.plan.pages`) that goes in the book is rendered from its site
template (or read from content/) exactly as the site has it, and turned into HTML for print with
Python-Markdown and the extensions the site's pages use. A top-level page is a chapter; a
section (the training curriculum, the challenges, the playbooks) is one chapter whose first page
opens it and whose other pages follow as its parts. For paper:

- the page's own title (its `# heading`) gives way to the book's heading of the chapter or part;
- every id gets its page's anchor as a prefix (`goals--foster-innovation`), so ids stay unique,
  and links between pages become links inside the book (the print stylesheet adds the page
  number); links to anything else lose their target and keep their text;
- syntax of the site's theme that means nothing on paper comes out readable: admonitions are
  boxes, each content tab is headed by its label, icons are left out;
- a small table (up to `KEEP_ROWS` rows) is marked `hb-keep`: the stylesheet keeps it on one page.

The frame (cover, contents with page numbers, the chapters) is `templates/print/handbook.html.j2`.
Contents longer than a page are split into pages of about equal length (`contents_breaks`), so
that their last page is never a stub of a few lines. Its words, and the PDF's title and subject,
are the catalog's in the program's language.
"""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from markupsafe import Markup

from handbook.i18n import _
from handbook.load.project import Loaded
from handbook.plan.pages import HANDBOOK, Page, chapters
from handbook.render import sanitize
from handbook.render.edition import Edition
from handbook.render.printing import (
    Batch,
    Output,
    _meta,
    _print_links,
    _render,
    _skeleton,
    print_environment,
    shown_template,
    stylesheet,
)

# The extensions of the site's pages (the built-in templates and content/ use these), and for
# paper: content tabs, and what `_paper_extension` adds.
PRINT_EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc", "sane_lists", "pymdownx.details",
                    "pymdownx.superfences", "pymdownx.tabbed"]
# `align` rather than a `style` attribute, which the sanitiser removes.
PRINT_CONFIGS: dict[str, dict[str, Any]] = {"toc": {"permalink": False}, "tables": {"use_align_attribute": True}}

# A table of at most this many rows (its head included) is small: it is never split across pages.
KEEP_ROWS = 8
# The contents, as handbook.css sets them: lines of entries a page of contents holds (its first
# page also holds the title), a chapter's entry counts as one and a half lines (bold, spaced),
# and an entry's title wraps after about this many characters.
CONTENTS_LINES = 42
CONTENTS_WRAP = 64

_TITLE = re.compile(r"\A\s*# .*(\n|\Z)")  # a page's own title, on its first line
_ICON = r":(?:material|fontawesome|octicons|simple)-[a-z0-9-]+:"  # the theme's icon shortcodes


@dataclass(frozen=True)
class Part:
    """A page of a section, printed after the section's first page: its anchor, title and body."""

    id: str
    title: str
    body: Markup


@dataclass(frozen=True)
class Chapter:
    """A chapter of the book: its anchor, title, body, its entries in the contents, and its parts."""

    id: str
    title: str
    kind: str  # "program" (a page of the generator) or "content" (a page from content/)
    sections: tuple[tuple[str, str], ...] = ()  # (anchor, title) listed under the chapter in the contents
    body: Markup = Markup("")
    parts: tuple[Part, ...] = ()


def _paper_extension() -> Any:
    """Return a Markdown extension that makes theme-only syntax readable on paper."""
    from markdown.extensions import Extension
    from markdown.inlinepatterns import InlineProcessor
    from markdown.treeprocessors import Treeprocessor

    class NoIcon(InlineProcessor):
        def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # noqa: N802
            return "", m.start(0), m.end(0)

    class HeadedTabs(Treeprocessor):
        """Print each content tab as its label, then its content: no tab can be clicked on paper."""

        def run(self, root: etree.Element) -> None:
            for tabs in [e for e in root.iter("div") if "tabbed-set" in (e.get("class") or "").split()]:
                # Each label is followed by its content; or, in the alternate style, all labels come
                # first (in div.tabbed-labels), then all contents (div.tabbed-block in div.tabbed-content).
                labels = tabs.findall("label") + tabs.findall("div/label")
                blocks = [e for e in tabs.findall("div") + tabs.findall("div/div")
                          if {"tabbed-content", "tabbed-block"} & set((e.get("class") or "").split())
                          and e.find("div[@class='tabbed-block']") is None]
                tabs.clear()
                tabs.set("class", "tabbed-set")
                for label, block in zip(labels, blocks):
                    title = etree.SubElement(tabs, "p", {"class": "tabbed-title"})
                    title.text = label.text
                    title.extend(list(label))
                    tabs.append(block)

    class SmallTables(Treeprocessor):
        """Mark the tables small enough to keep on one page."""

        def run(self, root: etree.Element) -> None:
            for table in root.iter("table"):
                if len(list(table.iter("tr"))) <= KEEP_ROWS:
                    table.set("class", " ".join([*(table.get("class") or "").split(), "hb-keep"]))

    class Paper(Extension):
        def extendMarkdown(self, md: Any) -> None:  # noqa: N802 - Python-Markdown's name
            md.inlinePatterns.register(NoIcon(_ICON, md), "handbook-no-icon", 175)
            md.treeprocessors.register(HeadedTabs(md), "handbook-headed-tabs", 0)
            md.treeprocessors.register(SmallTables(md), "handbook-small-tables", 0)

    return Paper()


@dataclass(frozen=True)
class _Converted:
    html: str
    headings: tuple[tuple[str, str], ...]  # (id, title) of the page's level-2 headings
    ids: frozenset[str]


def _convert(markdown: str, level: int) -> _Converted:
    """Return a page's Markdown as HTML without its title; its other headings start at `level`."""
    import markdown as markdown_lib

    configs = {**PRINT_CONFIGS, "toc": {**PRINT_CONFIGS["toc"], "baselevel": level - 1}}
    converter = markdown_lib.Markdown(extensions=[*PRINT_EXTENSIONS, _paper_extension()],
                                      extension_configs=configs, output_format="html")
    text = converter.convert(_TITLE.sub("", markdown, count=1))
    headings = tuple((t["id"], html.unescape(t["name"])) for t in getattr(converter, "toc_tokens", [])
                     if t["level"] == level)
    ids: set[str] = set()  # the page's own anchors, for its `#anchor` links (which may come first)
    sanitize.clean(text, lambda tag, attribute, value: ids.add(value) if attribute == "id" else value)
    return _Converted(text, headings, frozenset(ids))


def _body(page: Page, converted: _Converted, anchors: Mapping[str, str],
          targets: Mapping[str, frozenset[str]]) -> Markup:
    rewrite = _print_links(page.id, anchors, converted.ids, folder=page.folder, targets=targets)
    return Markup(sanitize.clean(converted.html, rewrite))


def book_chapters(edition: Edition) -> tuple[Chapter, ...]:
    """Return the chapters of the book: the registry's pages in the site's order, from the site's Markdown."""
    grouped = chapters(edition.pages)
    converted: dict[str, _Converted] = {}
    for first, parts in grouped:
        converted[first.path] = _convert(edition.markdown[first.path], 2)
        for part in parts:
            converted[part.path] = _convert(edition.markdown[part.path], 3)
    anchors = {page.path: page.id for first, parts in grouped for page in (first, *parts)}
    targets = {path: done.ids for path, done in converted.items()}  # ids on each page, before prefixing

    def body(page: Page) -> Markup:
        return _body(page, converted[page.path], anchors, targets)

    book = []
    for first, parts in grouped:
        if parts:
            sections = tuple((part.id, part.title) for part in parts)
        elif first.listed:
            sections = tuple((f"{first.id}--{id}", title) for id, title in converted[first.path].headings)
        else:
            sections = ()
        book.append(Chapter(first.id, first.section or first.title, "content" if first.content else "program",
                            sections, body(first), tuple(Part(p.id, p.title, body(p)) for p in parts)))
    return tuple(book)


def contents_breaks(chapters: tuple[Chapter, ...]) -> frozenset[str]:
    """Return the ids of the chapters whose entry opens a new page of the contents.

    Contents that fit on one page stay on one page. Longer contents are split between chapters
    into as few pages as hold them, each about as long as the others: never a full page followed
    by a stub of a few lines.
    """
    def lines(title: str) -> int:
        return max(1, math.ceil(len(title) / CONTENTS_WRAP))

    sizes = [1.5 * lines(chapter.title) + sum(lines(title) for _, title in chapter.sections) for chapter in chapters]
    total = sum(sizes)
    pages = max(1, math.ceil(total / CONTENTS_LINES))
    while True:
        breaks: list[str] = []
        filled = [0.0]
        for chapter, size in zip(chapters, sizes):
            # A chapter opens the next page when more than half of it would lie beyond this page's share.
            if filled[-1] and len(breaks) < pages - 1 and sum(filled) + size / 2 > total * len(filled) / pages:
                breaks.append(chapter.id)
                filled.append(0.0)
            filled[-1] += size
        if max(filled) <= CONTENTS_LINES or pages >= len(chapters):
            return frozenset(breaks)
        pages += 1  # a long chapter made one page too full: spread over one page more


def handbook_batch(loaded: Loaded, edition: Edition, created: Optional[str]) -> Batch:
    """Return the handbook as a book: cover, contents, every chapter of the site."""
    program = loaded.program
    info = program.program
    templates = loaded.layout.templates
    env = print_environment(templates)
    title = _("%(program)s: handbook", program=info.name)
    head, tail = _skeleton(env, templates, title=title, language=info.language, body_class="handbook")
    book = book_chapters(edition)
    body = _render(env, "handbook.html.j2", templates, program=program, info=info,
                   chapters=book, contents_breaks=contents_breaks(book), fingerprint=edition.fingerprint,
                   downloads=edition.downloads)
    output = Output(HANDBOOK.path, body,
                    _meta(program, title, info.tagline or _("The handbook of %(program)s", program=info.name),
                          created, _("handbook")),
                    title=_(HANDBOOK.title), description=_(HANDBOOK.description))
    css = (stylesheet("print.css", templates), stylesheet("handbook.css", templates))
    return Batch("handbook", shown_template("handbook.html.j2", templates), head, tail, css, (output,))

