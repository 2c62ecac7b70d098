"""`handbook collect`: returned forms, filled by hand (here: by pypdf), read back into a private report.

The example program's three returned forms are printed once for this module; each test fills
copies as a group would (a viewer saves the values into the fields), collects them into a copy
of the example project and reads what a coordinator notices: the exit code, the messages naming
each file, the database and build/private/monitoring.html. What a form keeps private (topics,
names, reflections, goals' wording) must never reach the database or the report.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfWriter

from handbook import i18n
from handbook.commands import stage
from handbook.commands.collect import collect, write_report
from handbook.output.pdf.renderer import render_batch
from handbook.plan.monitoring import K_ANONYMITY, Monitoring, monitoring, public_figures
from handbook.plan.returns import IDENTITY, Stored, returned_forms
from handbook.render.monitoring import site_results
from handbook.render.printing import form_group_size, forms_batch
from tests.conftest import ROOT, copy_example, run_cli, source_date

RETURNED = ("forms/mid-point-check-in.pdf", "forms/session-log.pdf", "forms/closure-reflection.pdf")
LATER = dt.date(2027, 6, 1)  # every form of the example cohort is due


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's returned forms as the build prints them (for its cohort's largest group)."""
    out = tmp_path_factory.mktemp("returned-forms")
    loaded = stage.load(ROOT)
    with source_date(), i18n.using(stage.words(loaded.layout, loaded.program)):
        batch = forms_batch(loaded.program, loaded.layout.templates, None,
                            form_group_size(loaded.program, loaded.cohort)).subset(RETURNED)
    report = render_batch(batch, ROOT, out)
    assert not report.problems and not report.error, (report.problems, report.error)
    return out / "forms"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "project")


def fill(blank: Path, form: str, target: Path, values: dict[str, str]) -> Path:
    """Fill a copy of the blank `form` with `values` as a PDF viewer saves it; a ticked box is "/on"."""
    writer = PdfWriter(clone_from=blank / f"{form}.pdf")
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    writer.write(target)
    return target


def check_in(blank: Path, target: Path, group: str, **more: str) -> Path:
    values = {"hb-group": group, "sessions": "6", "member-1-goal-1": "SECRET GOAL WORDING",
              "member-1-goal-1-progress": "/0", "member-2-goal-1-progress": "/2", "member-1-goal-1-change": "SECRET CHANGE",
              "question-3": "We both speak openly."}
    return fill(blank, "mid-point-check-in", target, values | more)


def answers(project: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(project / ".handbook" / "returns.sqlite") as db:
        return db.execute("SELECT r.grp, r.form, a.field, a.value FROM returns r JOIN answers a ON a.return_id = r.id "
                          "ORDER BY r.id, a.field").fetchall()


def test_printed_forms_have_exactly_the_fields_collect_expects(blank: Path) -> None:
    loaded = stage.load(ROOT)
    forms = returned_forms(loaded.program, form_group_size(loaded.program, loaded.cohort))
    for slug, form in forms.items():
        with pikepdf.open(blank / f"{slug}.pdf") as pdf:
            names = {str(field.T) for field in pdf.Root.AcroForm.Fields}
            values = {str(field.T): str(field.get("/V", "")) for field in pdf.Root.AcroForm.Fields}
        assert names == form.fields, (slug, names ^ form.fields)
        assert values["hb-form"] == slug and values["hb-version"] == form.fingerprint
    assert len({form.fingerprint for form in forms.values()}) == 3


def test_collect_keeps_what_each_form_promises_and_nothing_else(blank: Path, project: Path, tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    check_in(blank, returns / "check-in pair-01.pdf", "pair-01", contact="/on")
    check_in(blank, returns / "check-in pair-02.pdf", "Pair 02", sessions="5 sessions")  # written by hand
    fill(blank, "session-log", returns / "log.pdf", {"hb-group": "pair-01", "log-1-date": "14 Sep", "log-2-date": "28 Sep",
                                                     "log-1-topic": "SECRET TOPIC", "log-1-commitments": "SECRET PLAN"})
    fill(blank, "closure-reflection", returns / "mine.pdf", {"hb-group": "pair-01", "name": "Amara Osei", "sessions": "11",
                                                             "goals": "SECRET REFLECTION", "closing-2": "/on"})
    result = run_cli("collect", "--project", project, returns)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "collected 4 new forms" in result.stdout
    stored = answers(project)
    assert ("pair-01", "mid-point-check-in", "contact", "1") in stored
    assert ("pair-01", "mid-point-check-in", "member-1-goal-1-progress", "0") in stored
    assert ("pair-01", "mid-point-check-in", "member-2-goal-1-progress", "2") in stored
    assert ("pair-02", "mid-point-check-in", "sessions", "5 sessions") in stored
    assert ("pair-01", "session-log", "sessions", "2") in stored
    assert ("pair-01", "closure-reflection", "closing-2", "1") in stored
    database = (project / ".handbook" / "returns.sqlite").read_bytes()
    report = (project / "build" / "private" / "monitoring.html").read_text(encoding="utf-8")
    for secret in ("SECRET", "Amara Osei"):
        assert secret.encode() not in database and secret not in report, secret
    assert (project / ".handbook" / "returns.sqlite").stat().st_mode & 0o077 == 0, "owner only"
    assert "We both speak openly." in report and "pair-02" in report


def test_the_report_lists_who_to_act_on_with_charts(blank: Path, project: Path, tmp_path: Path) -> None:
    check_in(blank, tmp_path / "a.pdf", "pair-01", contact="/on")
    check_in(blank, tmp_path / "b.pdf", "pair-02")
    collect(project, [tmp_path / "a.pdf", tmp_path / "b.pdf"])
    target, report = write_report(stage.load(project), LATER)
    html = target.read_text(encoding="utf-8")
    groups = [group.id for group in stage.load(project).cohort.groups]
    missed = {gap.group for gap in report.gaps if gap.due}
    assert missed >= set(groups) - {"pair-01", "pair-02"}, "every group that did not return the check-in"
    act = html[html.index('id="act"'):html.index('id="returned"')]
    assert "Asked to be contacted about a concern (Mid-point check-in)" in act
    assert re.search(r"pair-03</td><td>Mid-point check-in not returned; due", act)
    assert html.count('<svg role="img"') >= 3 and "<script" not in html
    assert "For the coordinator only." in html


def test_the_same_file_twice_counts_once(blank: Path, project: Path, tmp_path: Path) -> None:
    form = check_in(blank, tmp_path / "in" / "one.pdf", "pair-01")
    (tmp_path / "in" / "two.pdf").write_bytes(form.read_bytes())
    first = run_cli("collect", "--project", project, tmp_path / "in")
    assert first.exit_code == 0 and "collected 1 new form." in first.stdout
    assert "two.pdf: collected before (as one.pdf), not counted again." in first.stdout
    again = run_cli("collect", "--project", project, form)
    assert again.exit_code == 0 and "collected 0 new forms." in again.stdout
    with sqlite3.connect(project / ".handbook" / "returns.sqlite") as db:
        assert db.execute("SELECT count(*) FROM returns").fetchone() == (1,)


def test_a_form_of_an_older_version_is_accepted_and_marked(blank: Path, project: Path, tmp_path: Path) -> None:
    old = check_in(blank, tmp_path / "old.pdf", "pair-01")
    program = project / "program.yaml"
    text = program.read_text(encoding="utf-8")
    version = re.search(r"^  version: .*$", text, re.M)
    assert version
    program.write_text(text.replace(version.group(0), '  version: "2099.1"'), encoding="utf-8")
    result = run_cli("collect", "--project", project, old)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "1 of them of an older version" in result.stdout
    html = (project / "build" / "private" / "monitoring.html").read_text(encoding="utf-8")
    assert "Forms of an older version" in html and "old.pdf" in html
    assert "(a form of an older version)" in html


def test_hostile_and_foreign_files_are_refused_by_name_and_nothing_is_lost(blank: Path, project: Path,
                                                                         tmp_path: Path) -> None:
    good = check_in(blank, tmp_path / "good.pdf", "pair-01")
    assert run_cli("collect", "--project", project, good).exit_code == 0
    before = answers(project)
    bad = tmp_path / "bad"
    check_in(blank, bad / "nobody.pdf", "pair-99")
    check_in(blank, bad / "empty-group.pdf", "")
    (bad / "junk.pdf").write_bytes(b"%PDF-1.7 not really")
    (bad / "printed.pdf").write_bytes(_plain_pdf())
    tampered = check_in(blank, bad / "tampered.pdf", "pair-02")
    with pikepdf.open(tampered, allow_overwriting_input=True) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if str(field.T) == "question-1":
                field.T = pikepdf.String("salary")
        pdf.save(tampered)
    foreign = fill(blank, "session-log", bad / "foreign.pdf", {"hb-group": "pair-02"})
    with pikepdf.open(foreign, allow_overwriting_input=True) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if str(field.T) == "hb-form":
                field.V = pikepdf.String("payslip")
        pdf.save(foreign)
    check_in(blank, bad / "hostile.pdf", "pair-03",
             **{"question-1": "<script>alert('x')</script>\x1b[31m" + "A" * 5000, "sessions": "lots"})
    result = run_cli("collect", "--project", project, bad)
    assert result.exit_code == 2
    err = result.stderr
    assert "nobody.pdf: names group 'pair-99', which cohort.yaml does not have" in err
    assert "empty-group.pdf: names no group" in err
    assert "junk.pdf: cannot be read as a PDF" in err
    assert "printed.pdf: has no form fields" in err and "hint:" in err
    assert "tampered.pdf: has fields the mid-point-check-in form does not have: 'salary'" in err
    assert "foreign.pdf: is form 'payslip', which does not come back to the coordinator" in err
    assert "6 files refused; every other file was collected" in err
    assert "Traceback" not in result.stdout + err
    after = answers(project)
    assert set(before) <= set(after), "nothing stored before is lost"
    hostile_text = next(value for group, _f, name, value in after if group == "pair-03" and name == "question-1")
    assert len(hostile_text) == 2000 and "\x1b" not in hostile_text
    html = (project / "build" / "private" / "monitoring.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def _plain_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    from io import BytesIO

    out = BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_damaged_database_is_named_and_never_overwritten(blank: Path, project: Path, tmp_path: Path) -> None:
    database = project / ".handbook" / "returns.sqlite"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"not a database, but someone's data" * 100)
    result = run_cli("collect", "--project", project, check_in(blank, tmp_path / "a.pdf", "pair-01"))
    assert result.exit_code == 1
    assert "returns.sqlite is not a database of returned forms" in result.stderr and "hint:" in result.stderr
    assert database.read_bytes() == b"not a database, but someone's data" * 100


def test_collect_needs_files_that_exist(project: Path, tmp_path: Path) -> None:
    result = run_cli("collect", "--project", project, tmp_path / "nowhere")
    assert result.exit_code == 2 and "nowhere: does not exist" in result.stderr


# --- the site's figures: k-anonymity ----------------------------------------------------------


def _stored(group: str, form: str, answers: dict[str, str], n: int) -> Stored:
    return Stored(n, f"{n}.pdf", f"2026-12-01T00:00:{n:02d}", form, "x", group, answers)


def _report(groups: int, progress: list[str]) -> Monitoring:
    loaded = stage.load(ROOT)
    cohort = loaded.cohort
    assert cohort is not None
    ids = [group.id for group in cohort.groups][:groups]
    returns = [_stored(gid, "mid-point-check-in", {"sessions": str(4 + n), "member-1-goal-1-progress": progress[n]}, n)
               for n, gid in enumerate(ids)]
    return monitoring(loaded.program, cohort, returns, LATER, 2)


def test_no_site_figure_rests_on_fewer_than_five() -> None:
    few = public_figures(_report(4, ["0", "0", "1", "2"]))
    assert few == (), "four groups: nothing is shown"
    many = public_figures(_report(7, ["0", "0", "0", "0", "0", "1", "2"]))
    # One group with six goals "not yet" is six goals, but one group: still "fewer than 5".
    loaded = stage.load(ROOT)
    assert loaded.cohort is not None
    ids = [group.id for group in loaded.cohort.groups]
    one_group = [_stored(gid, "mid-point-check-in", {f"member-{m}-goal-{g}-progress": "2" if n == 0 else "0"
                                                    for m in (1, 2) for g in (1, 2, 3)}, n) for n, gid in enumerate(ids)]
    figure = next(f for f in public_figures(monitoring(loaded.program, loaded.cohort, one_group, LATER, 2))
                  if f.kind == "progress")
    assert figure.parts == (36, None, None)
    kinds = {figure.kind: figure for figure in many}
    assert kinds["returned"].parts == (7,)
    assert kinds["progress"].parts == (5, None, None), "a count of 1 is 'fewer than 5'"
    assert kinds["sessions"].parts == (7,)  # the median of 4..10
    for figure in many:
        assert figure.respondents >= K_ANONYMITY
        assert all(part is None or part >= K_ANONYMITY for part in figure.parts)
        assert not any(gid in figure.label for gid in ("pair-", "triad-"))
    with i18n.using(stage.words(stage.load(ROOT).layout, stage.load(ROOT).program)):
        text = site_results(many, LATER)
    assert "| Progress on goals (7 groups) | yes: 5 · partly: fewer than 5 · not yet: fewer than 5 |" in text
    assert "| Mid-point check-in returned | 7 of 7 |" in text
    assert "pair-" not in text and "triad-" not in text and "Answer" not in text
    numbers = [int(n) for n in re.findall(r"(?<![\w-])(\d+)(?![\w-])", text.split("|---|---|")[1])]
    assert numbers and min(numbers) >= K_ANONYMITY, "no count under 5 on the site"


def test_identity_fields_are_never_kept_as_answers(blank: Path, project: Path, tmp_path: Path) -> None:
    collect(project, [check_in(blank, tmp_path / "a.pdf", "pair-01")])
    assert not {name for _g, _f, name, _v in answers(project)} & set(IDENTITY)


def test_the_built_site_shows_only_aggregates_of_five_or_more(blank: Path, project: Path, tmp_path: Path) -> None:
    loaded = stage.load(project)
    assert loaded.cohort is not None
    groups = [group.id for group in loaded.cohort.groups][:6]
    for n, group in enumerate(groups):  # six groups; only the first says "partly", only the second "not yet"
        check_in(blank, tmp_path / "in" / f"{group}.pdf", group, **{
            "member-1-goal-1-progress": "/1" if n == 0 else "/0", "member-2-goal-1-progress": "/2" if n == 1 else "/0",
            "question-1": f"FREE TEXT OF {group}"})
    assert run_cli("collect", "--project", project, tmp_path / "in").exit_code == 0
    with source_date():
        assert run_cli("build", "--project", project).exit_code == 0
        page = (project / "build" / "site" / "monitoring.html").read_text(encoding="utf-8")
        assert "Results so far" in page and "6 of 7" in page
        assert re.search(r"yes: 10 · partly: fewer than 5 · not yet: fewer than 5", page)
        for path in (project / "build" / "site").rglob("*"):
            if path.is_file() and path.suffix in (".html", ".json", ".js", ".xml", ".md"):
                text = path.read_text(encoding="utf-8", errors="replace")
                assert "FREE TEXT" not in text and not re.search(r"\bpair-0\d\b", text), path
        assert "FREE TEXT OF pair-01" in (project / "build" / "private" / "monitoring.html").read_text(encoding="utf-8")
        assert "nothing changed" in run_cli("build", "--project", project).stdout.lower()
        check_in(blank, tmp_path / "later.pdf", groups[0], sessions="8")
        assert run_cli("collect", "--project", project, tmp_path / "later.pdf").exit_code == 0
        assert "nothing changed" not in run_cli("build", "--project", project).stdout.lower(), "a collect is an input"


def test_two_hundred_returned_forms_are_collected_as_the_benchmark_times_them(tmp_path: Path) -> None:
    """benchmarks/collect.py times this (target: under 10 s); here, that every one of 200 forms is counted."""
    from benchmarks.collect import RETURNED as FORMS
    from benchmarks.collect import fill_forms, make_project

    project = make_project(tmp_path / "project", 100)
    loaded = stage.load(project)
    with i18n.using(stage.words(loaded.layout, loaded.program)):
        batch = forms_batch(loaded.program, loaded.layout.templates, None, 2).subset(FORMS)
    assert not render_batch(batch, project, tmp_path / "blank").error
    files = fill_forms(project, tmp_path / "blank" / "forms", tmp_path / "returns", 200)
    done = collect(project, [tmp_path / "returns"], on=LATER)
    assert len(done.added) == 200 and not done.refused and not done.again
    assert done.monitoring is not None and done.monitoring.total == 200
    counted = {status.form.slug: status.returned for status in done.monitoring.forms}
    assert counted == {"mid-point-check-in": 100, "session-log": 100, "closure-reflection": 0}  # one each per group
    assert len(files) == 200
