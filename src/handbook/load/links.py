"""Markdown checked at load: links that lead to no page of the site, lists nested too deep to render.

The Markdown fields of program.yaml and the content pages are read with Python-Markdown and the
extensions every site page has (the parser the site engine uses), so reference-style links,
images and links inside admonitions count, and text in code blocks does not. Each problem is
located where the coordinator wrote it: a line of program.yaml or of the content page.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional, Sequence
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel

from handbook.errors import Problem
from handbook.load.project import ContentAsset, ContentPage
from handbook.load.validate import inner_model
from handbook.load.yamlsource import Source, format_path
from handbook.model import Program

MAX_NESTING = 20  # lists, quotes and blocks inside one another; deeper is a mistake, far deeper crashes renderers
_CONTAINERS = {"ul": "lists", "ol": "lists", "blockquote": "quotes", "div": "blocks", "details": "blocks"}
_SHOWN_PAGES = 20  # page names a hint lists before it says how many more there are

# The site folders where the built-in templates show a Markdown field, by the field's top-level key
# (a relative link resolves from the page that shows it); every other field is on a top-level page.
FIELD_FOLDERS: dict[str, tuple[str, ...]] = {
    "training": ("training",),
    "challenges": ("challenges",),
    "playbooks": ("playbooks", "challenges"),  # a playbook's summary is shown on its challenges' pages too
}


@dataclass(frozen=True)
class MarkdownText:
    """A Markdown text as written in a file: where it starts, and the site folders it is shown in."""

    file: str
    path: str  # where in program.yaml, e.g. `challenges[0].description`; empty for a content page
    text: str  # the Markdown
    written: str  # the file's text from where the Markdown starts to where it ends at the latest
    line: int  # where `written` starts in the file
    column: int
    lines: tuple[str, ...]  # the file's lines, to show one under a problem
    folders: tuple[str, ...] = ("",)


def markdown_fields(data: Any, model: type[BaseModel] = Program,
                    path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Yield (path, text) for each Markdown field in `data` (YAML as read, valid or not)."""
    if not isinstance(data, dict):
        return
    for name, info in model.model_fields.items():
        value = data.get(name)
        inner = inner_model(info.annotation)
        if isinstance(value, str) and (info.description or "").rstrip().endswith("Markdown."):
            yield path + (name,), value
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            if isinstance(value, list):
                for index, item in enumerate(value):
                    yield from markdown_fields(item, inner, path + (name, index))
            else:
                yield from markdown_fields(value, inner, path + (name,))


def program_texts(source: Source) -> list[MarkdownText]:
    """Return the Markdown fields of program.yaml, each with the stretch of the file it is written in."""
    lines = tuple(source.text.splitlines())
    starts = [0]
    for line in source.text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        line, column = position
        return starts[min(line, len(starts)) - 1] + column - 1

    # A scalar ends at the latest where the next key or value begins.
    boundaries = sorted({offset(p) for p in [*source.values.values(), *source.keys.values()]})
    texts = []
    for path, text in markdown_fields(source.data):
        line, column = source.position(path)
        begin = offset((line, column))
        after = bisect.bisect_right(boundaries, begin)
        end = boundaries[after] if after < len(boundaries) else len(source.text)
        texts.append(MarkdownText(source.name, format_path(path), text, source.text[begin:end], line, column, lines,
                                  FIELD_FOLDERS.get(str(path[0]), ("",))))
    return texts


def page_text(page: ContentPage) -> MarkdownText:
    """Return a content page's Markdown; content pages sit at the top of the site."""
    lines = ("",) * (page.line - 1) + tuple(page.body.splitlines())
    return MarkdownText(page.file or f"content/{page.name}", "", page.body, page.body, page.line, 1, lines)


# What `markdown_problems` asks for the files of the site a link may lead to, pages first in the
# order of the navigation: `handbook.plan.pages.site_paths`, which plans the pages from the program
# (a later stage than loading, so the caller hands it in).
SitePaths = Callable[[Program, Sequence[ContentPage], Sequence[ContentAsset]], Sequence[str]]


class _Collect:
    """A Python-Markdown parser that keeps the element tree of the last text it read."""

    def __init__(self) -> None:
        import markdown
        from markdown.treeprocessors import Treeprocessor

        from handbook.load.sitesettings import REQUIRED_EXTENSIONS

        self.root: Optional[etree.Element] = None
        self.parser = markdown.Markdown(extensions=list(REQUIRED_EXTENSIONS))
        self.email = markdown.util.AMP_SUBSTITUTE
        collect = self

        class Keep(Treeprocessor):
            def run(self, root: etree.Element) -> None:
                collect.root = root

        # Last of all tree processors: links are resolved, reference-style ones included.
        self.parser.treeprocessors.register(Keep(self.parser), "handbook-keep", -100)

    def tree(self, text: str) -> etree.Element:
        """Return the element tree of `text`; raise RecursionError when it nests too deep to read."""
        self.root = None
        self.parser.reset()
        self.parser.convert(text)
        assert self.root is not None
        return self.root


def _depth(root: etree.Element) -> tuple[int, str]:
    """Return how deep lists, quotes and blocks nest in `root`, and what the deepest one is."""
    deepest, kind = 0, ""
    stack = [(child, 0) for child in root]  # the root is a `div` of Python-Markdown's own
    while stack:
        element, depth = stack.pop()
        if element.tag in _CONTAINERS:
            depth += 1
            if depth > deepest:
                deepest, kind = depth, _CONTAINERS[element.tag]
        stack.extend((child, depth) for child in element)
    return deepest, kind


_MARKERS = re.compile(r"(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]*")


def _written_depth(line: str) -> int:
    """Return how deep a line nests as written: indentation steps of four, then `>` and list markers."""
    rest = line.expandtabs(4)
    depth = (len(rest) - len(rest.lstrip())) // 4
    rest = rest.lstrip()
    while match := _MARKERS.match(rest):
        depth += 1
        rest = rest[match.end():]
    return depth


def _where(text: MarkdownText, index: int) -> tuple[int, int]:
    """Return (line, column) in the file of character `index` of `text.written`."""
    newline = text.written.rfind("\n", 0, index)
    line = text.line + text.written.count("\n", 0, index)
    column = index - newline if newline >= 0 else text.column + index
    return line, column


def _problem(text: MarkdownText, index: int | None, message: str, hint: str) -> Problem:
    line, column = _where(text, index) if index is not None else (text.line, text.column)
    shown = text.lines[line - 1] if 0 < line <= len(text.lines) else ""
    return Problem(text.file, line, column, message, text.path, hint, shown)


def _nesting_problem(text: MarkdownText, depth: int | None, kind: str) -> Problem:
    """Return the problem of `text` nesting `depth` deep (None: too deep to read), at its deepest line."""
    written = [(_written_depth(line), line) for line in text.text.splitlines()]
    deepest = max(written, default=(0, ""))
    line = next((ln for d, ln in written if d > MAX_NESTING), deepest[1])
    # The line as written (a YAML block only indents it more), else its text wherever it was folded to.
    index = text.written.find(line)
    if index >= 0:
        index += len(line) - len(line.lstrip())
    elif line.strip():
        index = text.written.find(line.strip()[:40])
    if depth is None:
        depth, kind = max(deepest[0], MAX_NESTING + 1), "lists or quotes"
    return _problem(text, index if index >= 0 else None, f"{kind} nested {depth} deep; at most {MAX_NESTING}",
                    f"put at most {MAX_NESTING} lists, quotes or blocks inside one another")


def _may_matter(text: str) -> bool:
    """Return whether `text` may hold a link or nest deep: most texts are prose, read far faster this way."""
    return any(mark in text for mark in ("[", "<", "!!!", "???", "///")) or \
        max((_written_depth(line) for line in text.splitlines()), default=0) > MAX_NESTING


def _links(root: etree.Element) -> Iterator[str]:
    for element in root.iter():
        url = element.get("href") if element.tag == "a" else element.get("src") if element.tag == "img" else None
        if url is not None:
            yield url


def _suggestions(target: str, folder: str, paths: Sequence[str]) -> tuple[str, str]:
    """Return (` (did you mean 'x'?)`, the page names as written from `folder`) for a link to `target`."""
    known = set(paths)
    relative = [posixpath.relpath(p, folder or ".") for p in paths if p.endswith(".md")]
    stem, extension = posixpath.splitext(target)
    # MkDocs' own guesses, then a page of that name in another folder.
    elsewhere = [p for p in paths if posixpath.basename(p) == posixpath.basename(target)]
    for guess in (f"{target}.md", posixpath.join(target, "index.md"), f"{stem}.md" if extension == ".html" else "",
                  elsewhere[0] if len(elsewhere) == 1 else ""):
        guess = posixpath.normpath(guess) if guess else ""
        if guess in known:
            suggestion = f" (did you mean {posixpath.relpath(guess, folder or '.')!r}?)"
            break
    else:
        # Compared without `.md`, which every page name shares and which would make any two names alike.
        written = posixpath.relpath(target, folder or ".") if not target.startswith("..") else target
        stems = {name.removesuffix(".md"): name for name in relative}
        close = difflib.get_close_matches(written.removesuffix(".md"), sorted(stems), n=1, cutoff=0.6)
        suggestion = f" (did you mean {stems[close[0]]!r}?)" if close else ""
    shown = ", ".join(relative[:_SHOWN_PAGES])
    if len(relative) > _SHOWN_PAGES:
        shown += f", and {len(relative) - _SHOWN_PAGES} more"
    return suggestion, shown


def _link_problems(text: MarkdownText, root: etree.Element, site: Callable[[], list[str]],
                   email: str) -> Iterator[Problem]:
    searched_from: dict[str, int] = {}
    for url in _links(root):
        scheme, netloc, path, _query, _anchor = urlsplit(url)
        if scheme or netloc or email in url or not path:
            continue  # another site, an email address, or a place on this page
        # Where it is written: in `](url` or `]: url` if found, else anywhere after the last one.
        pattern = re.compile(r"(?:\]\(\s*<?|\]:[ \t]*<?)(" + re.escape(url) + r")(?=[\s)>'\"]|$)")
        found = pattern.search(text.written, searched_from.get(url, 0))
        index = found.start(1) if found else text.written.find(url, searched_from.get(url, 0))
        searched_from[url] = index + 1 if index >= 0 else searched_from.get(url, 0)
        at = index if index >= 0 else None
        if url.startswith(("/", "\\")):
            yield _problem(text, at, f"the link to {url!r} starts with '/': it leads out of the handbook when "
                           "the site is read from disk or from a folder of a web server",
                           "link to a page by its file name, e.g. guidelines.md, or write the whole address "
                           "(https://...) of another site")
            continue
        path, paths = unquote(path), site()
        known = set(paths)
        for folder in text.folders:
            target = posixpath.normpath(posixpath.join(folder, path))
            if target in known or posixpath.normpath(path) == ".":
                continue
            suggestion, shown = _suggestions(target, folder, paths)
            where = f" from {folder}/, where this text is shown" + (" too" if len(text.folders) > 1 else "") \
                if folder else ""
            seen_from = f" as seen from {folder}/" if folder else ""
            hint, noun = f"link to a page by its file name{seen_from}: {shown}", "page"
            if posixpath.splitext(path)[1] not in ("", ".md", ".html"):
                noun = "file"
                hint = "other files (images, downloads) come from content/: put the file there and link to it by " \
                       f"its name{seen_from}, e.g. {posixpath.relpath(posixpath.basename(path), folder or '.')}"
            yield _problem(text, at, f"the link to {url!r} leads to no {noun} of the handbook{where}{suggestion}",
                           hint)
            break


def markdown_problems(source: Source | None, program: Program | None, pages: Sequence[ContentPage],
                      assets: Sequence[ContentAsset], *, site_paths: SitePaths,
                      check_links: bool = True) -> list[Problem]:
    """Return a problem for each Markdown field or content page that nests too deep or links to no page.

    Links are checked only when `program` and the content pages were read without problems:
    until then the pages of the site are not known. `site_paths` lists the site's files.
    """
    texts = (program_texts(source) if source is not None else []) + [page_text(page) for page in pages]
    # The site's files are listed only when a text links inside the site: most texts have no such link.
    site = None
    if program is not None and check_links:
        site = functools.cache(lambda: list(site_paths(program, pages, assets)))
    parser: _Collect | None = None
    problems: list[Problem] = []
    for text in texts:
        if not _may_matter(text.text):
            continue
        parser = parser or _Collect()
        try:
            root = parser.tree(text.text)
        except RecursionError:
            problems.append(_nesting_problem(text, None, ""))
            parser = _Collect()  # a parser stopped half-way keeps state from the text it stopped in
            continue
        depth, kind = _depth(root)
        if depth > MAX_NESTING:
            problems.append(_nesting_problem(text, depth, kind))
        elif site is not None:
            problems += _link_problems(text, root, site, parser.email)
    return problems
