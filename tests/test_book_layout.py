"""The handbook as a printed book, read as a reader and a coordinator printing it meet it.

Pages are read from the PDF: each line of text with its position (`pdftotext -bbox-layout`), each
page's text (pypdf), the outline, and the cover as a picture (`pdftoppm`). Two books: the example
(the session's build, conftest `built_example`) and the German triad program
(tests/fixtures/stationsleitung), whose book is printed once for this module.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from handbook.commands import stage
from handbook.output.pdf.renderer import render_batch
from handbook.render.book import CONTENTS_LINES, Chapter, contents_breaks
from tests.conftest import ROOT, source_date

MM = 72 / 25.4  # PDF points in a millimetre
A4_WIDTH, A4_HEIGHT = 210 * MM, 297 * MM
BODY_TOP, BODY_BOTTOM = 18.5 * MM, A4_HEIGHT - 22.5 * MM  # between the running head and the footer
LEADER = re.compile(r"(\. ){3}")  # a line of the contents, its dots leading to the page number
GERMAN = ROOT / "tests" / "fixtures" / "stationsleitung"


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Book:
    name: str  # the program's name
    pdf: Path
    html: str  # the print HTML the PDF was laid out from
    pages: tuple[tuple[Line, ...], ...]  # every line of text on each page, head and foot included

    def body(self, index: int) -> list[Line]:
        """The lines of page `index` (0-based) between the running head and the footer."""
        return [line for line in self.pages[index] if line.y0 >= BODY_TOP and line.y1 <= BODY_BOTTOM]

    def fill(self, index: int) -> float:
        """How far down the text block the text of page `index` reaches: 0 empty, 1 full."""
        body = self.body(index)
        return max((line.y1 - BODY_TOP) / (BODY_BOTTOM - BODY_TOP) for line in body) if body else 0.0

    def outline(self) -> list[tuple[str, int, list[tuple[str, int]]]]:
        """The bookmarks: (title, page index, [(title, page index) of each child]); deeper levels fail."""
        reader = PdfReader(self.pdf)
        tree: list[tuple[str, int, list[tuple[str, int]]]] = []
        for item in reader.outline:
            if isinstance(item, list):
                assert all(not isinstance(child, list) for child in item), "bookmarks deeper than sections"
                tree[-1][2].extend((child.title, reader.get_destination_page_number(child)) for child in item)
            else:
                tree.append((item.title, reader.get_destination_page_number(item), []))
        return tree

    def chapter_starts(self) -> list[int]:
        """The page index each chapter starts on (the outline's first entry is the contents)."""
        return [page for _, page, _ in self.outline()[1:]]


def _lines(pdf: Path) -> tuple[tuple[Line, ...], ...]:
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    root = etree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xml).replace(' xmlns="http://www.w3.org/1999/xhtml"', ""))
    return tuple(tuple(Line(float(line.get("xMin")), float(line.get("yMin")), float(line.get("xMax")),
                            float(line.get("yMax")), " ".join(word.text or "" for word in line.iter("word")))
                       for line in page.iter("line"))
                 for page in root.iter("page"))


def _book(root: Path, pdf: Path) -> Book:
    loaded = stage.load(root)
    batch = next(b for b in stage.render(loaded).prints.batches if b.name == "handbook")
    return Book(loaded.program.program.name, pdf, batch.outputs[0].html, _lines(pdf))


@pytest.fixture(scope="module", params=["example", "german triad"])
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The example's book (as `handbook build` printed it), and the German program's, printed here once."""
    if request.param == "example":
        example: Path = request.getfixturevalue("built_example")
        return _book(example, example / "build" / "pdf" / "handbook.pdf")
    project = tmp_path_factory.mktemp("book-de") / "project"
    shutil.copytree(GERMAN, project)
    with source_date():
        loaded = stage.load(project)
        batch = next(b for b in stage.render(loaded).prints.batches if b.name == "handbook")
        report = render_batch(batch, project, project / "build" / "pdf")
    assert not report.problems and not report.error, (report.problems, report.error)
    return _book(project, project / "build" / "pdf" / "handbook.pdf")


class _Html(HTMLParser):
    """The tables (rows and text), headings and contents entries of the book's print HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[tuple[int, str]] = []
        self.headings: set[str] = set()
        self.contents: list[tuple[str, list[str]]] = []  # (chapter, [section, ...]) as the contents list them
        self._table = self._rows = 0
        self._text: list[str] = []
        self._heading: list[str] | None = None
        self._entry: tuple[str, list[str]] | None = None
        self._in_toc = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table":
            self._table += 1
            self._rows, self._text = 0, []
        elif tag == "tr" and self._table:
            self._rows += 1
        elif tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
        elif tag == "nav" and "toc" in classes:
            self._in_toc = True
        elif tag == "li" and self._in_toc:
            self._entry = ("chapter" if "toc-chapter" in classes else "section", [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table -= 1
            self.tables.append((self._rows, "".join(self._text)))
        elif tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings.add(" ".join("".join(self._heading).split()))
            self._heading = None
        elif tag == "nav":
            self._in_toc = False
        elif tag == "a" and self._entry is not None:
            kind, text = self._entry
            title = " ".join("".join(text).split())
            if kind == "chapter":
                self.contents.append((title, []))
            else:
                self.contents[-1][1].append(title)
            self._entry = None

    def handle_data(self, data: str) -> None:
        if self._table:
            self._text.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._entry is not None:
            self._entry[1].append(data)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- pages ------------------------------------------------------------------------------


def test_no_page_is_nearly_empty_unless_it_ends_a_chapter(book: Book) -> None:
    starts = book.chapter_starts()
    ends = {start - 1 for start in starts[1:]} | {len(book.pages) - 1}
    nearly_empty = [index for index in range(1, len(book.pages)) if book.fill(index) < 0.25]
    assert [index + 1 for index in nearly_empty if index not in ends] == [], "pages less than a quarter full"
    assert len(nearly_empty) <= max(2, len(starts) // 5), [index + 1 for index in nearly_empty]


def test_lines_are_short_enough_to_read(book: Book) -> None:
    running = [line.text for page in book.pages for line in page if not LEADER.search(line.text)]
    longest = max(running, key=len)
    assert len(longest) <= 90, longest
    assert len(longest) >= 60, "the measure is narrower than it needs to be: " + longest


def test_the_contents_fill_their_pages_without_a_stub(book: Book) -> None:
    contents, first_chapter = book.outline()[0][1], book.chapter_starts()[0]
    pages = range(contents, first_chapter)
    assert len(pages) >= 1 and all(any(LEADER.search(line.text) for line in book.body(p)) for p in pages)
    if len(pages) > 1:  # split evenly: no full page followed by a stub
        fills = [book.fill(p) for p in pages]
        assert min(fills) > max(0.25, max(fills) / 2), [round(fill, 2) for fill in fills]


def test_margins_mirror_for_double_sided_printing(book: Book) -> None:
    # Page 1 (index 0) is a right-hand page, bound on its left; page 2 a left-hand page, bound on its right.
    right_hand = [line for index in range(2, len(book.pages), 2) for line in book.body(index)]
    left_hand = [line for index in range(1, len(book.pages), 2) for line in book.body(index)]
    inner_right, outer_right = min(line.x0 for line in right_hand), A4_WIDTH - max(line.x1 for line in right_hand)
    outer_left, inner_left = min(line.x0 for line in left_hand), A4_WIDTH - max(line.x1 for line in left_hand)
    assert inner_right == pytest.approx(inner_left, abs=3 * MM)
    assert outer_right == pytest.approx(outer_left, abs=3 * MM)
    assert outer_left > inner_right + 15 * MM  # the text block moves: the outer margin is the wide one
    # The page number sits on the outer side: right on a right-hand page, left on a left-hand one.
    for index in range(1, len(book.pages)):
        number = [line for line in book.pages[index] if line.y0 > BODY_BOTTOM and line.text == str(index + 1)]
        assert number, f"page {index + 1} has no number in its footer"
        assert (number[0].x0 > A4_WIDTH / 2) == (index % 2 == 0), f"page {index + 1}: number on the inner side"


def test_small_tables_are_never_split_across_pages(book: Book) -> None:
    pages = [re.sub(r"\((?:p|S)\.\d+\)", "", squash(page.extract_text() or "")) for page in PdfReader(book.pdf).pages]
    tables = [(rows, squash(text)) for rows, text in _Html(book.html).tables if rows <= 8]
    assert tables
    for rows, text in tables:
        assert any(text in page for page in pages), f"a table of {rows} rows is split: {text[:60]}"


def test_no_heading_is_the_last_line_of_a_page(book: Book) -> None:
    headings = _Html(book.html).headings
    for index in range(1, len(book.pages) - 1):
        body = sorted(book.body(index), key=lambda line: line.y1)
        if len(body) < 2:
            continue
        last, above = body[-1], max((line for line in body if line.y1 <= body[-1].y0), key=lambda line: line.y1)
        # A heading stands apart from the text above it; a paragraph's last line ending in the same words does not.
        apart = last.y0 - above.y1 > 2.5 * MM
        assert not (apart and any(last.text == heading or (len(last.text) > 12 and heading.endswith(last.text))
                                  for heading in headings)), f"page {index + 1} ends with the heading {last.text!r}"


def test_the_bookmarks_are_the_chapters_and_their_sections(book: Book) -> None:
    outline = book.outline()
    contents = _Html(book.html).contents
    assert [title for title, _, _ in outline[1:]] == [chapter for chapter, _ in contents]
    for (title, page, children), (_, sections) in zip(outline[1:], contents):
        titles = [child for child, _ in children]
        if sections:
            assert titles == sections, title
        assert len(set(titles)) == len(titles) and title not in titles, f"{title}: a bookmark twice"
        assert all(child_page >= page for _, child_page in children), title
    assert len({title for title, _, _ in outline}) == len(outline)


def test_the_cover_prints_on_white_paper_with_the_name_large(book: Book, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", str(book.pdf), str(tmp_path / "cover")],
                   check=True)
    cover = Image.open(next(tmp_path.glob("cover*.pgm")))
    width, height = cover.size
    pixels = cover.load()
    ink = sum(255 - pixels[x, y] for x in range(width) for y in range(height)) / (255 * width * height)
    assert ink < 0.12, f"the cover covers {ink:.0%} of the page in toner"
    edge = round(10 / 25.4 * 30)  # no printer prints the outer 10 mm; nothing is meant to be there
    assert all(pixels[x, y] == 255 for x in range(width) for y in range(height)
               if min(x, y, width - 1 - x, height - 1 - y) < edge), "the cover prints to the edge of the paper"
    tallest = max(book.pages[0], key=lambda line: line.y1 - line.y0)
    assert tallest.text and tallest.text in book.name


# --- the contents, split -----------------------------------------------------------------


def _chapters(*sections: int) -> tuple[Chapter, ...]:
    return tuple(Chapter(f"c{n}", f"Chapter {n}", "program", tuple((f"c{n}-{s}", f"Section {s}") for s in range(count)))
                 for n, count in enumerate(sections))


def test_contents_that_fit_on_a_page_stay_on_one() -> None:
    assert contents_breaks(_chapters(3, 0, 4, 2, 0)) == frozenset()


def test_long_contents_are_split_into_pages_of_about_equal_length() -> None:
    chapters = _chapters(*[4, 0, 2, 6, 1, 3, 0, 5] * 6)
    breaks = contents_breaks(chapters)
    pages: list[float] = [0.0]
    for chapter in chapters:
        if chapter.id in breaks:
            pages.append(0.0)
        pages[-1] += 1.5 + len(chapter.sections)
    assert len(pages) == len(breaks) + 1 <= math.ceil(sum(pages) / CONTENTS_LINES) + 1  # few pages, none stuffed
    assert max(pages) <= CONTENTS_LINES and min(pages) > 0.75 * max(pages), pages
