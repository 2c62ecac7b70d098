"""A handbook project on disk: where its parts are, and loading them into memory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem
from typing import Literal, Optional

from pydantic import Field

from .model import Model, Program
from .validate import schema_problems, validate_program
from .yamlsource import decode, load_yaml

PROGRAM_FILE = "program.yaml"
CONTENT_DIR = "content"
TEMPLATES_DIR = "templates"
MKDOCS_FILE = "mkdocs.yml"
BUILD_DIR = "build"

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", re.S)
_PAGE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.md$")


@dataclass(frozen=True)
class Layout:
    """Paths of a project's parts."""

    root: Path

    @property
    def program(self) -> Path:
        return self.root / PROGRAM_FILE

    @property
    def content(self) -> Path:
        return self.root / CONTENT_DIR

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES_DIR

    @property
    def mkdocs(self) -> Path:
        return self.root / MKDOCS_FILE

    @property
    def build(self) -> Path:
        return self.root / BUILD_DIR

    def relative(self, path: Path) -> str:
        """Return `path` relative to the project root, as shown in messages."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


@dataclass(frozen=True)
class ContentPage:
    """A hand-written Markdown page merged into the site."""

    name: str  # file name in content/, e.g. "faq.md"
    title: str
    body: str  # Markdown without the front matter
    placement: str  # "start" (right after the home page) or "end" (after the program's pages)
    order: int


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


def load_program(layout: Layout) -> Program:
    """Read and validate program.yaml, or raise InputError with every problem."""
    if not layout.program.is_file():
        raise InputError([Problem(PROGRAM_FILE, 0, 0, f"no {PROGRAM_FILE} in {layout.root}",
                                  hint="run `handbook init DIR` to start a program, or pass --project DIR")])
    source = load_yaml(layout.program.read_bytes(), PROGRAM_FILE)
    return validate_program(source)


def _page(layout: Layout, path: Path, problems: list[Problem]) -> ContentPage | None:
    name = layout.relative(path)
    try:
        text = decode(path.read_bytes(), name)
    except InputError as exc:
        problems += exc.problems
        return None
    title, placement, order, body = None, "end", 100, text
    match = _FRONT_MATTER.match(text)
    if match:
        body = text[match.end():]
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
    return ContentPage(path.name, title, body, placement, order)


def load_content(layout: Layout, reserved: set[str]) -> tuple[tuple[ContentPage, ...], tuple[ContentAsset, ...]]:
    """Read content/ pages and assets; `reserved` holds page names the generator owns."""
    if not layout.content.is_dir():
        return (), ()
    problems: list[Problem] = []
    pages: list[ContentPage] = []
    assets: list[ContentAsset] = []
    for path in sorted(layout.content.rglob("*")):
        name = layout.relative(path)
        if path.is_symlink() and not _inside(layout.root, path):
            problems.append(Problem(name, 0, 0, "is a link to a file outside the project",
                                    hint="copy the file into content/ instead of linking to it"))
            continue
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(layout.content).parts):
            continue
        relative = path.relative_to(layout.content).as_posix()
        if path.suffix == ".md":
            if path.parent != layout.content or not _PAGE_NAME.match(path.name):
                problems.append(Problem(name, 0, 0, "content pages are named like `my-page.md` directly "
                                        "in content/", hint="use lowercase letters, digits and hyphens"))
                continue
            if path.name in reserved:
                problems.append(Problem(name, 0, 0, f"the page name {path.name!r} is used by a generated page",
                                        hint=f"rename it, e.g. content/more-{path.name}"))
                continue
            page = _page(layout, path, problems)
            if page:
                pages.append(page)
        else:
            assets.append(ContentAsset(relative, path.read_bytes()))
    if problems:
        raise InputError(problems)
    return tuple(pages), tuple(assets)


def template_problems(layout: Layout) -> list[Problem]:
    """Return a problem for each template in templates/ that is a link to a file outside the project."""
    if not layout.templates.is_dir():
        return []
    problems = []
    for path in sorted(layout.templates.rglob("*")):
        if path.is_symlink() and not _inside(layout.root, path):
            problems.append(Problem(layout.relative(path), 0, 0, "is a link to a file outside the project",
                                    hint="copy the template into templates/ instead of linking to it"))
    return problems
