"""What WeasyPrint may read, and what it says: the project fetcher, and its log turned into problems.

Resources are fetched only from inside the project's content/ and templates/ and the package's
print templates (no network, no cohort), and anything WeasyPrint logs as a warning or an error
fails the build as a `Problem` named by file (and line, in a stylesheet). Only its messages
about the machine (a library it lacks) are passed on as notes instead.
"""

from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence
from urllib.parse import unquote, urlsplit

from handbook.errors import Problem, did_you_mean
from handbook.layout import Layout
from handbook.output.pdf import weasy
from handbook.render.templating import PACKAGE_TEMPLATES


def allowed_roots(root: Path) -> tuple[Path, ...]:
    """Return the folders WeasyPrint may read from: the site's assets and the print templates.

    Never the rest of the project: the cohort, rosters, program.yaml, mkdocs.yml, build/,
    .handbook/ and private/ hold personal data or are not meant for print, and anything
    WeasyPrint reads can end up inside a PDF (an image, a font, an attachment). The folders
    themselves are not resolved: a file reached through a link to elsewhere stays outside.
    """
    layout = Layout(root.resolve())
    return (layout.content, layout.templates, (PACKAGE_TEMPLATES / "print").resolve())


def allowed_file(url: str, roots: Sequence[Path]) -> Optional[Path]:
    """Return the file `url` names when print may read it, None for a `data:` URL; raise ValueError to refuse it."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        return None
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"refused {url!r}: only files inside the project are used, never the network")
    path = Path(unquote(parts.path)).resolve()
    if not any(path == r or r in path.parents for r in roots):
        raise ValueError(f"refused {url!r}: only files in content/ and templates/ are used in print")
    if path.suffix.lower() == ".md":  # a content page is text for the book, not a resource
        raise ValueError(f"refused {url!r}: a Markdown page is not an image, font or stylesheet")
    return path


def project_fetcher(roots: Sequence[Path]) -> Any:
    """Return WeasyPrint's URL fetcher for print: files inside `roots` and `data:` URLs; everything else refused."""
    return weasy.url_fetcher(lambda url: allowed_file(url, roots))


# WeasyPrint's messages about the machine it runs on rather than about the document (its
# pdf/fonts.py): the PDFs are right without what they ask for, so they never fail a build and
# are shown once per build as a note. Anything else WeasyPrint logs is a problem of the input.
MACHINE_NOTES = (
    (re.compile(r"Using fontTools instead of HarfBuzz-Subset"),
     "note: this machine lacks the HarfBuzz-Subset library, so fonts are packed into the PDFs with "
     "fontTools instead; the PDFs are still correct. Install libharfbuzz-subset0 for faster builds "
     "(Debian, Ubuntu: sudo apt-get install libharfbuzz-subset0)"),
    (re.compile(r"Please install HarfBuzz version .*harfbuzz-vector"),
     "note: this machine's HarfBuzz cannot draw colour emoji fonts, so an emoji may print without "
     "its colours; everything else in the PDFs is correct. A HarfBuzz with harfbuzz-vector draws them"),
)


def machine_note(message: str) -> Optional[str]:
    """Return the note for a WeasyPrint message about the machine, None for one about the document."""
    return next((note for pattern, note in MACHINE_NOTES if pattern.search(message)), None)


class _Collect(logging.Handler):
    """Collects WeasyPrint's warnings and errors while a document renders."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def reported(where: str, root: Path, problems: list[Problem], notes: list[str]) -> Iterator[None]:
    """Collect what WeasyPrint logs inside the block: its problems with `where`, and new notes about the machine."""
    handler = _Collect()
    logger = logging.getLogger(weasy.LOGGER)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        problems += _problems(handler.records, where, root)
        for record in handler.records:
            note = machine_note(record.getMessage())
            if note is not None and note not in notes:
                notes.append(note)


def _problems(records: Iterable[logging.LogRecord], where: str, root: Path) -> list[Problem]:
    problems = []
    for record in records:
        if machine_note(record.getMessage()) is not None:
            continue
        message = _shown(record.getMessage(), root)
        line, column = 0, 0
        found = re.search(r" at (\d+):(\d+)", message)
        if found and where.endswith(".css"):
            line, column = int(found.group(1)), int(found.group(2))
        unknown = re.match(r"Ignored `([\w-]+): .*, unknown property\.$", message)
        if unknown:
            hint = (f"no such property in CSS{did_you_mean(unknown.group(1), weasy.css_property_names())}: "
                    "check its spelling")
        elif "Font-face" in message:
            hint = "check the url() of this @font-face: fonts are read from content/ and templates/ only"
        elif "refused" in message or "Failed to load" in message:
            hint = ("print reads images, fonts and stylesheets from content/ and templates/ only, never the "
                    "cohort, rosters or build/; put the file there")
        else:
            hint = "check the HTML and CSS of this template"
        problems.append(Problem(where, line, column, f"the PDF renderer reports: {message}", hint=hint,
                                source_line=_source_line(root / where, line)))
    return problems


def _shown(message: str, root: Path) -> str:
    """Return a log message with the project's absolute paths made relative."""
    for prefix in (root.resolve().as_uri() + "/", str(root.resolve()) + os.sep):
        message = message.replace(prefix, "")
    package = (PACKAGE_TEMPLATES / "print").resolve()
    return message.replace(package.as_uri() + "/", "(built-in) print/")


def _source_line(path: Path, line: int) -> str:
    """Return line `line` of a project file, shown under its problem; '' for none."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if line > 0 and path.is_file() else []
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[line - 1] if 0 < line <= len(lines) else ""
