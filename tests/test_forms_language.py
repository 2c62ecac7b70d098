"""The forms, playbook cards and the book speak the program's language and fit the program's group size.

A German program in triads (tests/fixtures/stationsleitung) prints its forms and book once for the
module: the headings, labels and cover are German, the fillable fields are named by ids (the same
in every language) and described in German to screen readers (the field's tooltip, /TU), the PDFs
say they are German (/Lang), and the forms a group fills in together have a row for each of its
three members. Forms for a circle of four and for pairs are checked as print HTML, which needs no
WeasyPrint.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from handbook import i18n
from handbook.commands import stage
from handbook.output.pdf.renderer import render_batch
from handbook.render.printing import form_group_size, forms_batch
from tests.conftest import ROOT, source_date

FIXTURE = ROOT / "tests" / "fixtures" / "stationsleitung"
FIELD_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The German triad program's book and forms, printed as `handbook build` prints them; their folder."""
    project = tmp_path_factory.mktemp("forms-de") / "project"
    shutil.copytree(FIXTURE, project)
    with source_date():
        loaded = stage.load(project)
        prints = stage.render(loaded).prints
    out = project / "build" / "pdf"
    for batch in prints.batches:
        if batch.name in ("handbook", "forms"):
            report = render_batch(batch, project, out)
            assert not report.problems and not report.error, (report.problems, report.error)
    return out


def _text(pdf: Path, *pages: str) -> str:
    """Return the text of a PDF (`pages`: pdftotext's -f/-l options), whitespace collapsed."""
    return " ".join(subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())


def _fields(pdf: Path) -> dict[str, str]:
    """Return {field name: tooltip} of a PDF's fillable fields."""
    return {name: str(field.get("/TU", "")) for name, field in (PdfReader(pdf).get_fields() or {}).items()}


def test_the_german_forms_have_german_headings_and_labels(printed: Path) -> None:
    check_in = _text(printed / "forms" / "mid-point-check-in.pdf")
    for german in ("Unsere Ziele", "Wessen", "Fortschritt", "Was wir ändern", "teilweise", "noch nicht",
                   "Bisherige Treffen", "Fragen: Halbzeitgespräch", "Version 2027.1"):
        assert german in check_in
    for english in ("Our goals", "Progress", "What we change", "partly", "not yet", "Questions:", "Partner"):
        assert english not in check_in
    agenda = _text(printed / "forms" / "session-agenda.pdf")
    assert "Ablauf eines Treffens" in agenda and "Nächstes Treffen" in agenda and "Sagt zu" in agenda
    assert "Session agenda" not in agenda and "commits to" not in agenda
    log = _text(printed / "forms" / "session-log.pdf")
    assert "Treffenprotokoll" in log and "Ziel sind mindestens 6 Treffen" in log  # the program's minimum_sessions
    assert "Session log" not in log and "Aim for" not in log
    assert "Seite 1 von 1" in log and "Page" not in log
    card = _text(printed / "forms" / "playbook-card-dienstplan.pdf")
    assert "Warnzeichen" in card and "Wenn das nicht hilft:" in card
    assert "Warning signs" not in card and "If that does not help" not in card


def test_the_german_book_has_a_german_cover_contents_and_page_references(printed: Path) -> None:
    front = _text(printed / "handbook.pdf", "-f", "1", "-l", "2")  # the cover and the contents
    for german in ("Handbuch", "Gültig ab 1. Oktober 2026", "Nächste Überprüfung", "Inhalt",
                   "Gedruckt von der Handbuch-Website", "Version 2027.1 · gültig ab 1. Oktober 2026"):
        assert german in front
    for english in ("Effective", "Next review", "Contents", "Coordinator", "fingerprint", "Printed from"):
        assert english not in front
    book = _text(printed / "handbook.pdf")
    assert re.search(r"\(S\. \d+\)", book) and "(p. " not in book, "links in the book print their page in German"


def test_the_pdfs_say_they_are_german(printed: Path) -> None:
    for pdf in (printed / "handbook.pdf", printed / "forms" / "closure-reflection.pdf"):
        reader = PdfReader(pdf)
        assert reader.trailer["/Root"]["/Lang"] == "de"
    assert PdfReader(printed / "handbook.pdf").metadata.title.endswith(": Handbuch")
    assert "Formular" in PdfReader(printed / "forms" / "closure-reflection.pdf").metadata["/Keywords"]


def test_fillable_fields_are_named_by_ids_and_described_in_german(printed: Path) -> None:
    for pdf in sorted((printed / "forms").glob("*.pdf")):
        for name, tooltip in _fields(pdf).items():
            assert FIELD_NAME.fullmatch(name), f"{pdf.name}: field {name!r} is not an id"
            assert tooltip, f"{pdf.name}: field {name!r} has no description for screen readers"
    check_in = _fields(printed / "forms" / "mid-point-check-in.pdf")
    assert check_in["member-3-goal-2"] == "Mitglied C, Ziel 2"
    assert check_in["member-1-goal-1-progress"] == "Mitglied A, Ziel 1: Fortschritt"  # ja / teilweise / noch nicht
    assert check_in["date"] == "Datum"
    log = _fields(printed / "forms" / "session-log.pdf")
    assert log["log-1-topic"] == "Treffen 1: Themenüberschrift"
    assert _fields(printed / "forms" / "smart-goal-worksheet.pdf")["goal-1-measurable"] == "Ziel 1: messbar"


def test_a_triad_fills_in_one_row_for_each_of_its_three_members(printed: Path) -> None:
    check_in = _fields(printed / "forms" / "mid-point-check-in.pdf")
    assert {n for n in check_in if re.fullmatch(r"member-\d-goal-1", n)} == {f"member-{i}-goal-1" for i in (1, 2, 3)}
    agenda = _fields(printed / "forms" / "session-agenda.pdf")
    assert sorted(n for n in agenda if n.endswith("-commitments") and n.startswith("member-")) == [
        "member-1-commitments", "member-2-commitments", "member-3-commitments"]
    closure = _fields(printed / "forms" / "closure-reflection.pdf")
    assert {n for n in closure if n.startswith("thanks-") and not n.endswith("-name")} == {"thanks-1", "thanks-2"}
    text = _text(printed / "forms" / "closure-reflection.pdf")
    assert "jedem Mitglied meiner Gruppe" in text and "Gegenüber" not in text


def _forms_html(project: Path, group_size: int | None = None) -> dict[str, str]:
    """Return {form file: print HTML} of a project's forms, rows for `group_size` (else as a build has them)."""
    loaded = stage.load(project)
    with i18n.using(stage.words(loaded.layout, loaded.program)):
        size = group_size or form_group_size(loaded.program, loaded.cohort)
        batch = forms_batch(loaded.program, loaded.layout.templates, None, size)
    return {output.path: output.html for output in batch.outputs}


def test_a_circle_of_four_gets_four_rows_and_no_pair_wording(small_project: Path) -> None:
    program = small_project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("matching:\n", "matching:\n  group_size: 4\n"),
                       encoding="utf-8")
    forms = _forms_html(small_project)
    check_in = forms["forms/mid-point-check-in.pdf"]
    assert [f"Member {letter}" in check_in for letter in "ABCDE"] == [True, True, True, True, False]
    assert 'name="member-4-goal-3"' in check_in and 'name="member-5-goal-1"' not in check_in
    assert forms["forms/session-agenda.pdf"].count('-commitments" title="Member') == 4
    closure = forms["forms/closure-reflection.pdf"]
    assert closure.count('<textarea name="thanks-') == 3  # one for each of the other three
    for form in forms.values():
        assert "Partner A" not in form and "my partner" not in form and "your partner" not in form
    assert "Group members" in forms["forms/smart-goal-worksheet.pdf"]


def test_pairs_keep_the_pair_wording(small_project: Path) -> None:
    forms = _forms_html(small_project)
    check_in = forms["forms/mid-point-check-in.pdf"]
    assert "Partner A" in check_in and "Partner B" in check_in and "Member" not in check_in
    assert "What I want to say to my partner in our closing session" in forms["forms/closure-reflection.pdf"]


def test_blank_forms_have_rows_for_the_largest_group_of_the_cohort() -> None:
    loaded = stage.load(ROOT)  # the example: pairs, and one triad in its cohort
    assert loaded.program.matching.group_size == 2
    assert form_group_size(loaded.program, loaded.cohort) == 3
    assert form_group_size(loaded.program, None) == 2
