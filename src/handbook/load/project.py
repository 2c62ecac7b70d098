"""A handbook project on disk, loaded into memory: program.yaml, content pages and assets, links checked.

Where the parts are is `handbook.layout`'s business."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Literal, Optional

from pydantic import Field

from handbook.errors import InputError, Problem
from handbook.layout import BUILD_DIR, CONTENT_DIR, PROGRAM_FILE, STATE_DIR, Layout
from handbook.load.validate import schema_problems, validate_program
from handbook.load.yamlsource import Source, decode, load_yaml
from handbook.model import LANGUAGE_PATTERN, Model, Program

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", re.S)
_PAGE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
_LANGUAGE_FOLDER = re.compile(LANGUAGE_PATTERN)  # content/de/: a language's pages


@dataclass(frozen=True)
class ContentPage:
    """A hand-written Markdown page merged into the site."""

    name: str  # file name in content/, e.g. "faq.md"
    title: str
    body: str  # Markdown without the front matter
    placement: str  # "start" (right after the home page) or "end" (after the program's pages)
    order: int
    line: int = 1  # line of the file on which `body` starts (after the front matter)
    file: str = ""  # as messages name it, when not content/<name> (content/de/faq.md)


@dataclass(frozen=True)
class ContentAsset:
    """A file in content/ that is not a page (an image, a download), copied into the site."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Loaded:
    """Everything read from a project, validated; nothing here touches the disk again."""

    layout: Layout
    program: Program
    pages: tuple[ContentPage, ...]
    assets: tuple[ContentAsset, ...]


class FrontMatter(Model):
    """Front matter of a content page."""

    title: Optional[str] = Field(None, description="Title of the page in the navigation.")
    placement: Literal["start", "end"] = Field(
        "end", description="`start` puts the page right after the home page; `end` after the program's pages."
    )
    order: int = Field(100, description="Pages with a lower order come first.")


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _private_kind(layout: Layout, target: Path, cohort: Path | None) -> str:
    """Return what private data `target` (resolved, inside the project) holds, or an empty string."""
    parts = target.relative_to(layout.root.resolve()).parts
    if cohort is not None and (target == cohort or cohort in target.parents or target in cohort.parents):
        return "the cohort (names and email addresses)"
    if parts and parts[0] == BUILD_DIR:
        return "the build's output, named agreements included"
    if parts and parts[0] == STATE_DIR:
        return "the generator's own files, named agreements included"
    if "private" in parts:
        return "coordinator-only files"
    content = layout.content.resolve()
    if target.suffix.lower() == ".csv" and content not in target.parents:
        return "a roster (names, email addresses, managers)"
    return ""


def _link_problem(layout: Layout, link: Path, cohort: Path | None, copy_hint: str) -> Problem | None:
    """Return a problem when the link `link` leads outside the project, to private data, or into a loop."""
    target = link.resolve()
    what = "folder" if target.is_dir() else "file"
    name = layout.relative(link)
    if not _inside(layout.root, target):
        return Problem(name, 0, 0, f"is a link to a {what} outside the project",
                       hint=f"copy the {what} into {copy_hint} instead of linking to it")
    kind = _private_kind(layout, target, cohort)
    if kind:
        shown = "the project folder" if target == layout.root.resolve() else repr(layout.relative(target))
        return Problem(name, 0, 0, f"is a link to {shown}, which holds {kind}",
                       hint=f"remove the link: what is in {name.split('/')[0]}/ reaches the site and the PDFs")
    if what == "folder" and (target == link.parent.resolve() or target in link.parent.resolve().parents):
        return Problem(name, 0, 0, "is a link to a folder that holds the link itself",
                       hint="remove the link: its files would repeat without end")
    return None


def project_files(layout: Layout, folder: Path, cohort: str | None = None,
                  copy_hint: str = "the project") -> tuple[list[Path], list[Problem]]:
    """Return the files under `folder`, links followed, and a problem for each link that may not be followed.

    A link (to a file or a folder, `folder` itself included) must lead inside the project, and
    not to private data: the cohort file program.yaml names (`cohort`), build/ and .handbook/, a
    `private` folder, a roster (`*.csv`). Hidden files and folders are skipped: nothing reads them.
    """
    try:
        cohort_file = (layout.root / cohort).resolve() if cohort else None
    except (OSError, ValueError):  # a name no file can have; cohort.py reports it
        cohort_file = None
    if folder.is_symlink():
        problem = _link_problem(layout, folder, cohort_file, copy_hint)
        if problem:
            return [], [problem]
    if not folder.is_dir():
        return [], []
    files: list[Path] = []
    problems: list[Problem] = []
    stack = [folder]
    seen: set[Path] = set()
    while stack:
        current = stack.pop()
        real = current.resolve()
        if real in seen:  # two links to one folder: its files once
            continue
        seen.add(real)
        for path in sorted(current.iterdir(), reverse=True):
            if path.name.startswith("."):
                continue
            if path.is_symlink():
                problem = _link_problem(layout, path, cohort_file, copy_hint)
                if problem:
                    problems.append(problem)
                    continue
            if path.is_dir():
                stack.append(path)
            elif path.is_file():
                files.append(path)
    return sorted(files), sorted(problems)


def read_program(layout: Layout) -> Source:
    """Read program.yaml with the position of every value, or raise InputError."""
    if not layout.program.is_file():
        raise InputError([Problem(PROGRAM_FILE, 0, 0, f"no {PROGRAM_FILE} in {layout.root}",
                                  hint="run `handbook init DIR` to start a program, or pass --project DIR")])
    return load_yaml(layout.program.read_bytes(), PROGRAM_FILE)


def load_program(layout: Layout) -> Program:
    """Read and validate program.yaml, or raise InputError with every problem."""
    return validate_program(read_program(layout))


def _page(layout: Layout, path: Path, problems: list[Problem]) -> ContentPage | None:
    name = layout.relative(path)
    try:
        text = decode(path.read_bytes(), name)
    except InputError as exc:
        problems += exc.problems
        return None
    title, placement, order, body, line = None, "end", 100, text, 1
    match = _FRONT_MATTER.match(text)
    if match:
        body = text[match.end():]
        line = text.count("\n", 0, match.end()) + 1
        block = match.group(1) or ""
        if block.strip():
            try:
                source = load_yaml(block, name)
            except InputError as exc:
                # Front matter starts on line 2 of the page.
                problems += [Problem(p.file, p.line + 1 if p.line else 0, p.column, p.message, p.path, p.hint,
                                     p.source_line) for p in exc.problems]
                return None
            found = schema_problems(source, FrontMatter)
            if found:
                problems += [Problem(p.file, p.line + 1, p.column, p.message, p.path, p.hint, p.source_line)
                             for p in found]
                return None
            meta = FrontMatter.model_validate(source.data)
            title, placement, order = meta.title, meta.placement, meta.order
    elif text.startswith("---"):
        problems.append(Problem(name, 1, 1, "front matter is not closed",
                                hint="end the front matter with a line holding only `---`",
                                source_line=text.splitlines()[0]))
        return None
    if not title:
        heading = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.M)
        title = heading.group(1) if heading else path.stem.replace("-", " ").capitalize()
    shown = name if path.parent != layout.content else ""
    return ContentPage(path.name, title, body, placement, order, line, shown)


def _is_language(name: str) -> bool:
    """Return whether a folder's name is a language tag Babel knows (content/de/, not content/img/)."""
    from babel import Locale, UnknownLocaleError

    if not _LANGUAGE_FOLDER.match(name):
        return False
    try:
        Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def load_content(layout: Layout, reserved: set[str], cohort: str | None = None, *,
                 languages: Collection[str] | None = ()) -> tuple[tuple[ContentPage, ...], tuple[ContentAsset, ...]]:
    """Read content/ pages and assets; `reserved` holds page names the generator owns, `cohort` the cohort file.

    The folders named after the program's further `languages` (content/de/) hold their pages, read
    by `load_localized`, not pages of the source language. `languages` is None when program.yaml is
    invalid and they are unknown: every folder named like a language is then left to the next check.
    """
    return _read_content(layout, layout.content, reserved, cohort, skip=languages)


def load_localized(layout: Layout, language: str, reserved: set[str], cohort: str | None,
                   source_pages: Collection[str] | None) -> tuple[tuple[ContentPage, ...], tuple[ContentAsset, ...]]:
    """Read content/<language>/: pages that replace the source language's pages of the same name, and files.

    A page there must have a source page of the same name (the other languages fall back to it);
    `source_pages` is None when content/ could not be read, and nothing is known about them.
    """
    folder = layout.content / language
    pages, assets = _read_content(layout, folder, reserved, cohort)
    strays = [Problem(f"{CONTENT_DIR}/{language}/{page.name}", 0, 0,
                      f"no page {page.name!r} in {CONTENT_DIR}/ for this page to translate",
                      hint=f"write the page in the source language as {CONTENT_DIR}/{page.name} first: every "
                           "language shows it where it has no translation") for page in pages
              if source_pages is not None and page.name not in source_pages]
    if strays:
        raise InputError(strays)
    return pages, assets


def _read_content(layout: Layout, folder: Path, reserved: set[str], cohort: str | None, *,
                  skip: Collection[str] | None = ()) -> tuple[tuple[ContentPage, ...], tuple[ContentAsset, ...]]:
    files, problems = project_files(layout, folder, cohort, "content/")
    pages: list[ContentPage] = []
    assets: list[ContentAsset] = []
    where = layout.relative(folder) + "/"
    for path in files:
        name = layout.relative(path)
        relative = path.relative_to(folder).as_posix()
        top = relative.split("/")[0]
        if (top in skip) if skip is not None else (path.parent != folder and _is_language(top)):
            continue
        if path.suffix == ".md":
            if folder == layout.content and path.parent == folder / top and _is_language(top):
                problems.append(Problem(name, 0, 0, f"{CONTENT_DIR}/{top}/ holds the pages of a language the "
                                        f"program is not published in ({top!r})",
                                        hint=f"add {top!r} to `program.languages` in {PROGRAM_FILE} (the source "
                                             "language first), or move the page to content/"))
                continue
            if path.parent != folder or not _PAGE_NAME.match(path.name):
                problems.append(Problem(name, 0, 0, f"content pages are named like `my-page.md` directly "
                                        f"in {where}", hint="use lowercase letters, digits and hyphens"))
                continue
            if path.name in reserved:
                problems.append(Problem(name, 0, 0, f"the page name {path.name!r} is used by a generated page",
                                        hint=f"rename it, e.g. {where}more-{path.name}"))
                continue
            page = _page(layout, path, problems)
            if page:
                pages.append(page)
        else:
            assets.append(ContentAsset(relative, path.read_bytes()))
    if problems:
        raise InputError(problems)
    return tuple(pages), tuple(assets)


def template_problems(layout: Layout, cohort: str | None = None) -> list[Problem]:
    """Return a problem for each link in templates/ that leads outside the project or to private data."""
    return project_files(layout, layout.templates, cohort, "templates/")[1]
