"""Errors of the handbook core: one base error, many located problems per error."""

from __future__ import annotations

import difflib
import errno
import os
import re
import signal
from dataclasses import dataclass, field
from typing import Iterable, Sequence


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located in a file and shown to a coordinator."""

    file: str
    line: int
    column: int
    message: str
    path: str = ""
    hint: str = ""
    source_line: str = field(default="", compare=False)

    def format(self) -> str:
        """Return the problem as `file:line:col: path: message`, the line, and the hint."""
        where = self.file
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        if self.source_line.strip():
            text += "\n    " + self.source_line.rstrip()
            if self.column > 0:
                # A caret under the column, counted on the line as shown (tabs kept as one char).
                text += "\n    " + " " * (self.column - 1) + "^"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class HandbookError(Exception):
    """Base of every error the core raises; the CLI turns it into a message and an exit code."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def format(self) -> str:
        """Return the text shown to a coordinator."""
        return self.message + (f"\n    hint: {self.hint}" if self.hint else "")


class InputError(HandbookError):
    """The input (program, cohort, templates, content) is invalid; carries every problem found."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem], summary: str | None = None) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        files = sorted({p.file for p in self.problems})
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        where = ", ".join(files) if files else "the input"
        self.summary = summary or f"{count} {noun} in {where}; nothing was written."
        super().__init__(self.summary)

    def format(self) -> str:
        """Return every problem, then the one-line summary."""
        return "\n".join([p.format() for p in self.problems] + [self.summary])


class TemplateError(InputError):
    """A template (package default or project override) failed to render."""


class EngineError(HandbookError):
    """The site engine or the PDF renderer failed."""


# What a full, read-only or forbidden disk raises while a build writes, and what the coordinator is told.
WRITE_PROBLEMS = {
    errno.ENOSPC: ("the disk is full", "free some space on the disk (deleting .handbook/cache is safe), "
                                       "then build again"),
    errno.EDQUOT: ("your disk quota is used up", "free some space in your quota (deleting .handbook/cache "
                                                 "is safe), then build again"),
    errno.EFBIG: ("a file grew larger than this system allows", "check the file size limit (`ulimit -f`), "
                                                                "then build again"),
    errno.EROFS: ("the disk is read-only", "build in a folder on a disk you can write to"),
    errno.EACCES: ("permission was denied", "check that you may write to the project folder and its build/"),
    errno.EPERM: ("permission was denied", "check that you may write to the project folder and its build/"),
}
DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})  # only ever from writing


class WriteError(HandbookError):
    """The disk refused a write (full, quota, read-only, permissions): nothing was replaced."""

    @classmethod
    def from_os_error(cls, exc: OSError, root: os.PathLike[str] | str, fallback: str = "") -> "WriteError":
        """Return the error for `exc`, naming the file relative to the project at `root`."""
        reason, hint = WRITE_PROBLEMS.get(exc.errno or 0, (exc.strerror or "the disk failed", ""))
        where = shown_path(exc.filename, root) if exc.filename else fallback
        place = f" while writing {where}" if where else ""
        return cls(f"{reason}{place}; nothing was replaced, build/ is as it was", hint=hint)


def shown_path(path: os.PathLike[str] | str | bytes, root: os.PathLike[str] | str) -> str:
    """Return `path` relative to the project at `root` (a build's staging folder shown as build/)."""
    text = os.fsdecode(path)
    base = os.path.realpath(root)
    full = os.path.realpath(text) if os.path.isabs(text) else text
    if full == base or full.startswith(base + os.sep):
        text = os.path.relpath(full, base)
    return re.sub(r"^build\.(?:new|old)-[^/]*", "build", text)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: handled like Ctrl+C, so that every cleanup on the way out runs."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum  # what a shell reports for a process ended by that signal
        super().__init__(f"stopped by {signal.Signals(signum).name}")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ` (did you mean 'x'?)` for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
