"""Filled-in PDF forms read back: every field's value (pikepdf, imported when called).

A file that is no PDF, is protected by a password, is too big or has no fields (printed or
scanned, or "flattened" by a viewer) is refused with one problem naming the file and what to do.
Which form it is, and whether it is one of this program's, `plan.returns.identify` says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from handbook.errors import Problem

MAX_FIELDS = 2000  # more fields than any version of any form has: not a form of ours
MAX_BYTES = 50 * 1024 * 1024  # a returned form is a few hundred kB; a file this big is not one


@dataclass(frozen=True)
class Filled:
    """A filled-in PDF form as read: its file, the digest of its bytes and every field's value."""

    file: Path
    digest: str  # SHA-256 of the file's bytes: the same file collected twice is recognised by it
    values: dict[str, str]  # field name -> answer; a ticked box "1", a chosen answer its index ("0", "1", ...)


def _text(value: Any) -> str:
    import pikepdf

    if isinstance(value, pikepdf.String):
        return str(value)
    if isinstance(value, pikepdf.Name):
        return str(value)[1:]
    return ""


def _fields(pdf: Any) -> dict[str, str]:
    """Return every terminal field of `pdf` by full name, with its value as text ("" when empty)."""
    import pikepdf

    found: dict[str, str] = {}
    stack = [(field, "") for field in pdf.Root.AcroForm.get("/Fields", [])]
    while stack and len(found) <= MAX_FIELDS:
        field, parent = stack.pop()
        if not isinstance(field, pikepdf.Dictionary):
            continue
        name = parent + ("." if parent and "/T" in field else "") + (str(field.T) if "/T" in field else "")
        kids = [kid for kid in field.get("/Kids", []) if isinstance(kid, pikepdf.Dictionary) and "/T" in kid]
        if kids:
            stack += [(kid, name) for kid in kids]
            continue
        value = field.get("/V")
        if value is None and "/Parent" in field:
            value = field.Parent.get("/V")
        kind = str(field.get("/FT", ""))
        if kind == "/Btn":
            state = _text(value).removeprefix("/")  # a state is a name; some writers store it as text "/1"
            options = [str(option) for option in field.get("/Opt", [])]
            if not state or state == "Off":
                text = ""
            elif "/Kids" in field and state.isdigit():  # a radio group: the chosen button's index
                text = state
            elif state in options:
                text = str(options.index(state))
            else:
                text = "1"  # a ticked box
        else:
            text = _text(value)
        if name:
            found[name] = text
    return found


def read_filled(path: Path, shown: str) -> Filled | Problem:
    """Return the form fields of the PDF `path` (named `shown` in messages), or the one problem that refuses it."""
    import pikepdf

    def problem(message: str, hint: str = "") -> Problem:
        return Problem(shown, 0, 0, message, hint=hint)

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return problem(f"is {size // (1024 * 1024)} MB: too big for a returned form",
                           "collect the filled PDF form itself, not a scan or a bundle of files")
        data = path.read_bytes()
    except OSError as exc:
        return problem(f"cannot be read: {exc.strerror or exc}")
    digest = hashlib.sha256(data).hexdigest()
    try:
        with pikepdf.open(path) as pdf:
            if "/AcroForm" not in pdf.Root:
                return problem("has no form fields: it is no filled-in form of this program",
                               "a form printed to PDF, scanned or 'flattened' by a viewer loses its fields; "
                               "ask the group to save the filled form itself (File > Save) and send that")
            values = _fields(pdf)
    except pikepdf.PasswordError:
        return problem("is protected by a password", "ask the group to send the form without a password")
    except (pikepdf.PdfError, ValueError, RecursionError) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0].replace(str(path), "").strip(": ")[:120]
        return problem(f"cannot be read as a PDF ({reason})",
                       "collect the PDF forms the program prints, filled in and saved")
    if len(values) > MAX_FIELDS:
        return problem("has more fields than any form of this program: it is no form of this program")
    return Filled(path, digest, values)


def iter_pdfs(paths: list[Path]) -> Iterator[Path]:
    """Yield the PDFs named: each file as given, the PDFs under each folder in name order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())
        else:
            yield path
