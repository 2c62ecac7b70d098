"""Forms a hand can fill, for any group: what a person printing or filling in a form notices.

The example program's forms are printed once for this module for pairs, and the mid-point
check-in and session agenda once more for a circle of six. Read back from the PDFs: where one
answer is meant ("yes / partly / not yet") the buttons are one radio group, so ticking one
clears the others; every box a hand writes in is at least 9 mm high; the forms a pair uses
fit one page each; a form of several pages says "Page x of y" of its own pages; the agenda and
the running log are two forms, both on the downloads list; a circle gets a row for each member.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter

from handbook import i18n
from handbook.commands import stage
from handbook.output.pdf.renderer import render_batch
from handbook.plan.pages import downloads
from handbook.render.printing import forms_batch
from tests.conftest import ROOT, source_date

MM = 72 / 25.4  # points in a millimetre (2.835)
RADIO = 1 << 15  # field flag: the buttons are radio buttons (ISO 32000-1, table 227)
CIRCLE = ("forms/mid-point-check-in.pdf", "forms/session-agenda.pdf")


def _print_forms(out: Path, size: int, only: tuple[str, ...] = ()) -> dict[str, int]:
    """Print the example program's forms with rows for `size` members into `out`; return pages per file."""
    loaded = stage.load(ROOT)
    with source_date(), i18n.using(stage.words(loaded.layout, loaded.program)):
        batch = forms_batch(loaded.program, loaded.layout.templates, None, size)
    if only:
        batch = batch.subset(only)
    report = render_batch(batch, ROOT, out)
    assert not report.problems and not report.error, (report.problems, report.error)
    return report.pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, int]]]:
    """{"pair": (folder, pages per file), "circle": ...}: the forms for pairs, and two for a circle of six."""
    pair = tmp_path_factory.mktemp("forms-pair")
    circle = tmp_path_factory.mktemp("forms-circle")
    return {"pair": (pair, _print_forms(pair, 2)), "circle": (circle, _print_forms(circle, 6, CIRCLE))}


def _pages(pdf: Path) -> list[str]:
    """Return the text of each page of a PDF, whitespace collapsed."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def _widgets(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [annot for page in pdf.pages for annot in page.get("/Annots", []) if annot.get("/Subtype") == "/Widget"]


def _field_type(widget: pikepdf.Dictionary) -> str:
    return str(widget.get("/FT") or widget.get("/Parent", {}).get("/FT", ""))


def test_progress_is_one_answer_of_three(printed: dict[str, tuple[Path, dict[str, int]]]) -> None:
    folder, _ = printed["pair"]
    path = folder / "forms" / "mid-point-check-in.pdf"
    with pikepdf.open(path) as pdf:
        fields = {str(f.get("/T")): f for f in pdf.Root.AcroForm.Fields}
        for member in (1, 2):
            for goal in (1, 2, 3):
                group = fields[f"member-{member}-goal-{goal}-progress"]
                assert group.FT == "/Btn" and int(group.Ff) & RADIO, "a radio group, not three checkboxes"
                kids = list(group.Kids)
                assert len(kids) == 3 and [str(v) for v in group.Opt] == ["yes", "partly", "not yet"]
                states = [set(kid.AP.N.keys()) - {"/Off"} for kid in kids]
                assert all(len(s) == 1 for s in states) and len(set.union(*states)) == 3, "each button its own state"
                assert all("/T" not in kid for kid in kids), "a button is no field of its own"
        assert not any(f"{name}-yes" in fields or f"{name}-partly" in fields
                       for name in (f"member-1-goal-{goal}" for goal in (1, 2, 3)))
    # Ticking "partly", then "not yet", as a viewer does: the one ticked before is cleared.
    writer = PdfWriter(clone_from=path)
    name = "member-1-goal-2-progress"
    for choice in ("/1", "/2"):
        writer.update_page_form_field_values(writer.pages[0], {name: choice}, auto_regenerate=False)
        group = next(f for f in writer.root_object["/AcroForm"]["/Fields"] if f.get_object().get("/T") == name)
        kids = [kid.get_object() for kid in group.get_object()["/Kids"]]
        assert group.get_object()["/V"] == choice
        assert [kid["/AS"] != "/Off" for kid in kids] == [state == choice for state in ("/0", "/1", "/2")]


def test_every_box_a_hand_writes_in_is_at_least_9_mm_high(printed: dict[str, tuple[Path, dict[str, int]]]) -> None:
    checked = 0
    for folder, pages in printed.values():
        for name in pages:
            with pikepdf.open(folder / name) as pdf:
                for widget in _widgets(pdf):
                    if _field_type(widget) != "/Tx" or int(widget.get("/Ff", 0)) & 1:
                        continue  # a read-only field (a returned form's id) is written by the form, not a hand
                    height = abs(float(widget.Rect[3]) - float(widget.Rect[1])) / MM
                    assert height >= 9 - 0.01, f"{name}: {widget.get('/T')} is {height:.1f} mm high"
                    checked += 1
    assert checked > 100


def test_the_forms_a_pair_uses_fit_one_page_each(printed: dict[str, tuple[Path, dict[str, int]]]) -> None:
    _, pages = printed["pair"]
    for name in ("mid-point-check-in", "smart-goal-worksheet", "session-agenda", "session-log", "closure-reflection"):
        assert pages[f"forms/{name}.pdf"] == 1, f"{name}: {pages[f'forms/{name}.pdf']} pages"


def test_a_form_of_several_pages_counts_its_own_pages(printed: dict[str, tuple[Path, dict[str, int]]]) -> None:
    loaded = stage.load(ROOT)
    folder, pages = printed["pair"]
    attendance = _pages(folder / "forms" / "training-attendance.pdf")
    modules = loaded.program.training.modules
    assert len(attendance) == pages["forms/training-attendance.pdf"] == len(modules) > 1
    for number, (module, text) in enumerate(zip(modules, attendance), start=1):
        assert module.title in text and f"Page {number} of {len(modules)}" in text
    # Page numbers count the form's own pages, not those of the forms printed before it.
    assert "Page 1 of 1" in _pages(folder / "forms" / "session-log.pdf")[0]
    circle, circle_pages = printed["circle"]
    check_in = _pages(circle / "forms" / "mid-point-check-in.pdf")
    assert len(check_in) == circle_pages["forms/mid-point-check-in.pdf"] > 1
    for number, text in enumerate(check_in, start=1):
        assert f"Page {number} of {len(check_in)}" in text


def test_a_circle_of_six_gets_a_row_for_every_member(printed: dict[str, tuple[Path, dict[str, int]]]) -> None:
    circle, _ = printed["circle"]
    check_in = _pages(circle / "forms" / "mid-point-check-in.pdf")
    assert all(f"Member {letter}" in " ".join(check_in) for letter in "ABCDEF")
    fields = PdfReader(circle / "forms" / "mid-point-check-in.pdf").get_fields() or {}
    assert {f"member-{n}-goal-3-progress" for n in range(1, 7)} <= set(fields)
    agenda = PdfReader(circle / "forms" / "session-agenda.pdf").get_fields() or {}
    assert sorted(n for n in agenda if n.endswith("-commitments")) == [f"member-{n}-commitments" for n in range(1, 7)]


def test_the_agenda_and_the_log_are_two_forms_both_offered(printed: dict[str, tuple[Path, dict[str, int]]]) -> None:
    folder, pages = printed["pair"]
    offered = {d.path: d.title for d in downloads(stage.load(ROOT).program)}
    assert offered["forms/session-agenda.pdf"] == "Session agenda"
    assert offered["forms/session-log.pdf"] == "Session log"
    assert not any("agenda-and-log" in path for path in offered) and not any("agenda-and-log" in p for p in pages)
    log = set(PdfReader(folder / "forms" / "session-log.pdf").get_fields() or {})
    agenda = set(PdfReader(folder / "forms" / "session-agenda.pdf").get_fields() or {})
    assert {"log-1-date", "log-14-commitments"} <= log and not any(n.startswith("step-") for n in log)
    assert {"step-1", "member-2-commitments", "next-date"} <= agenda and not any(n.startswith("log-") for n in agenda)
    log_text = _pages(folder / "forms" / "session-log.pdf")[0]
    assert "Aim for at least 10 sessions" in log_text and "Check-in (5 minutes)" not in log_text


def test_table_heads_say_what_they_head_and_layout_is_no_table() -> None:
    loaded = stage.load(ROOT)
    with i18n.using(stage.words(loaded.layout, loaded.program)):
        batch = forms_batch(loaded.program, loaded.layout.templates, None, 3)
    for output in batch.outputs:
        heads = re.findall(r"<th\b[^>]*>", output.html)
        assert all(re.search(r'\bscope="(col|row)"', head) for head in heads), (output.path, heads)
        for table in re.findall(r"<table\b.*?</table>", output.html, re.S):
            assert "<th" in table, f"{output.path}: a table without heads is layout, not data"


def test_the_forms_a_pair_uses_fit_one_page_each_in_german_too(tmp_path: Path) -> None:
    """German runs longer than English: the check-in and the closure reflection still fit a page for a pair."""
    loaded = stage.load(ROOT).in_language("de")
    names = ("mid-point-check-in", "smart-goal-worksheet", "session-agenda", "session-log", "closure-reflection")
    with source_date(), i18n.using(stage.words(loaded.layout, loaded.program)):
        batch = forms_batch(loaded.program, loaded.layout.templates, None, 2).subset(
            tuple(f"forms/{name}.pdf" for name in names))
    report = render_batch(batch, ROOT, tmp_path)
    assert not report.problems and not report.error, (report.problems, report.error)
    assert "Zwischenbilanz" in " ".join(_pages(tmp_path / "forms" / "mid-point-check-in.pdf"))
    for name in names:
        assert report.pages[f"forms/{name}.pdf"] == 1, f"{name}: {report.pages[f'forms/{name}.pdf']} pages"
