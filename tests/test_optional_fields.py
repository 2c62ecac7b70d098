"""An optional field written once in program.yaml reaches every output that shows it, and only when set.

`confidentiality.retention` (what the program keeps about each group, and when it is deleted) is
shown on the Confidentiality page, in the book (printed from the same page) and in the agreement's
terms (agreements/terms.pdf), which every agreement cites.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from handbook.commands.stage import load, render

HEADING = "What the program keeps"


def _text(pdf: Path) -> str:
    """Return the text of a PDF with its lines joined, as a reader would quote it."""
    raw = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(raw.split())


def _retention(project: Path) -> str:
    program = yaml.safe_load((project / "program.yaml").read_text(encoding="utf-8"))
    return " ".join(program["confidentiality"]["retention"].split())


def test_retention_note_is_on_the_site_in_the_book_and_in_the_agreement_s_terms(built_example: Path) -> None:
    note = _retention(built_example)
    page = (built_example / "build" / "site" / "confidentiality.html").read_text(encoding="utf-8")
    assert f">{HEADING}</h2>" in page
    assert note in " ".join(re.sub(r"<[^>]+>", "", page).split())
    book = _text(built_example / "build" / "pdf" / "handbook.pdf")
    assert book.count(note) == 1, "the book prints the note once, from the Confidentiality page"
    terms = _text(built_example / "build" / "pdf" / "agreements" / "terms.pdf")
    assert f"{HEADING} {note}" in terms


def test_without_retention_note_no_empty_heading_appears(small_project: Path) -> None:
    assert "retention" not in (small_project / "program.yaml").read_text(encoding="utf-8")
    rendered = render(load(small_project))
    assert "confidentiality.md" in rendered.site.pages
    assert HEADING not in rendered.site.pages["confidentiality.md"]
    documents = [o.html for b in rendered.prints.batches for o in b.outputs]
    assert documents and all(HEADING not in html for html in documents)
