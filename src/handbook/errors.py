"""Errors of the handbook core: one base error, many located problems per error."""

from __future__ import annotations

import difflib
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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ` (did you mean 'x'?)` for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
