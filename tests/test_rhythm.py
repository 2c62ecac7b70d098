"""Sessions every N weeks or monthly: the calendars' RRULE, the agreement's dates and one planned end agree.

A monthly program (first Tuesday) is built once; its agreement (PDF text), its group calendars and
program.ics are read as a participant would: every date the agreement prints is a date the
calendars hold, sessions fall on first Tuesdays, and the planned end is the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, small_with_cohort, source_date
from icalendar import Calendar

from handbook import i18n
from handbook.commands.stage import load
from handbook.errors import Problem
from handbook.layout import Layout
from handbook.load.cohort import load_cohort
from handbook.load.project import load_program
from handbook.plan.schedule import meeting_rhythm, planned_end, review_schedule
from handbook.render.calendars import render_calendars

COHORT = """\
name: Monthly cycle
participants:
  - id: ana
    name: Ana Lima
    email: ana@example.org
  - id: ben
    name: Ben Okafor
    email: ben@example.org
  - id: cai
    name: Cai Wen
    email: cai@example.org
groups:
  - id: triad-1
    members: [ana, ben, cai]
    start: 2026-02-02
"""
FIRST_TUESDAY = ("every_weeks: 2", "monthly: first-tuesday")


def events(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def occurrences(event) -> list[dt.datetime]:  # type: ignore[no-untyped-def]
    """Return the start of every occurrence of a recurring event, as a calendar application expands it."""
    from dateutil.rrule import rrulestr

    return list(rrulestr(event["rrule"].to_ical().decode(), dtstart=event.decoded("dtstart")))


def edit(path: Path, *changes: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def monthly_project(target: Path, *changes: tuple[str, str]) -> Path:
    project = small_with_cohort(target, COHORT)
    edit(project / "program.yaml", FIRST_TUESDAY, *changes)
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small program meeting on first Tuesdays, with a triad starting on Monday 2 February 2026, built."""
    project = monthly_project(tmp_path_factory.mktemp("monthly") / "project")
    with source_date():
        result = run_cli("build", "--project", project)
    assert result.exit_code == 0, result.stdout + result.stderr
    return project


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_monthly_sessions_fall_on_first_tuesdays_from_the_group_start(built: Path) -> None:
    found = events((built / "build" / "calendar" / "triad-1.ics").read_bytes())
    series = next(e for e in found if "rrule" in e)
    rule = series["rrule"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["BYDAY"] == ["1TU"]
    start = series.decoded("dtstart")
    assert start.date() == dt.date(2026, 2, 3)  # the group starts on Monday 2 February: its first Tuesday is the 3rd
    assert str(start.tzinfo) == "Europe/Berlin" and (start.hour, start.minute) == (10, 0)
    days = [d.date() for d in occurrences(series)]
    assert days == [dt.date(2026, 2, 3), dt.date(2026, 3, 3), dt.date(2026, 4, 7)]
    assert all(d.weekday() == 1 and d.day <= 7 for d in days)
    closing = next(e for e in found if str(e["summary"]).startswith("Closing session"))
    assert closing.decoded("dtstart").date() == dt.date(2026, 5, 5)  # 3 months on: the first Tuesday of May


def test_the_agreement_prints_the_dates_the_calendar_holds(built: Path) -> None:
    text = " ".join(pdf_text(built / "build" / "pdf" / "agreements" / "triad-1.pdf").split())
    assert "We meet monthly, on the first Tuesday, 45 minutes each time" in text
    assert "3 February 2026 First session" in text and "5 May 2026 Planned end" in text
    assert "17 February 2026 First check-in" in text  # week 2, counted from the first session
    found = events((built / "build" / "calendar" / "triad-1.ics").read_bytes())
    check_in = next(e for e in found if str(e["summary"]).startswith("First check-in"))
    assert check_in.decoded("dtstart") == dt.date(2026, 2, 17)


def test_the_planned_end_is_the_same_in_program_ics_the_group_ics_and_the_agreement(built: Path) -> None:
    calendars = built / "build" / "calendar"
    program_end = next(e for e in events((calendars / "program.ics").read_bytes())
                       if "planned end" in str(e["summary"])).decoded("dtstart")
    closing = next(e for e in events((calendars / "triad-1.ics").read_bytes())
                   if str(e["summary"]).startswith("Closing session")).decoded("dtstart")
    text = " ".join(pdf_text(built / "build" / "pdf" / "agreements" / "triad-1.pdf").split())
    assert program_end == closing.date() == dt.date(2026, 5, 5)
    assert "5 May 2026 Planned end" in text


def test_a_triads_calendar_names_all_three_without_pair_wording(built: Path) -> None:
    found = events((built / "build" / "calendar" / "triad-1.ics").read_bytes())
    words = " ".join(str(e.get("summary")) + " " + str(e.get("description", "")) for e in found)
    assert "Mentoring session (Ana Lima, Ben Okafor and Cai Wen)" in words
    for pair_word in ("&", "both", "either", "pair", "partners"):
        assert pair_word not in words.replace("A short call", "")  # (the check-in's own format is as written)
    series = next(e for e in found if "rrule" in e)
    assert [str(a) for a in series.get("attendee")] == ["mailto:ana@example.org", "mailto:ben@example.org",
                                                         "mailto:cai@example.org"]


def test_every_weeks_keeps_its_weekly_series_and_ends_on_a_session_day() -> None:
    program = load_program(Layout(ROOT))
    cohort = load_cohort(ROOT, "cohort.yaml", program, Problem("program.yaml", 0, 0, ""))
    group = cohort.groups[0]
    found = events(render_calendars(program, cohort)[f"{group.id}.ics"])
    series = next(e for e in found if "rrule" in e)
    assert series["rrule"]["FREQ"] == ["WEEKLY"] and series["rrule"]["INTERVAL"] == [2]
    assert series.decoded("dtstart").date() == group.start
    days = [d.date() for d in occurrences(series)]
    assert days == [group.start + dt.timedelta(weeks=2 * n) for n in range(13)]
    closing = next(e for e in found if str(e["summary"]).startswith("Closing session")).decoded("dtstart").date()
    # six calendar months after Monday 14 September 2026 is a Sunday; the closing session is on the nearest session day
    assert closing == dt.date(2027, 3, 15) == planned_end(program, group.start) == days[-1] + dt.timedelta(weeks=2)
    agreement_end = dict((p.id, d) for p, d in review_schedule(program).dated(group.start))["planned-end"]
    assert agreement_end == closing


def test_start_weekday_keeps_the_weekday_and_week_of_the_groups_start(tmp_path: Path) -> None:
    project = monthly_project(tmp_path / "project", ("monthly: first-tuesday", "monthly: start-weekday"))
    edit(project / "cohort.yaml", ("start: 2026-02-02", "start: 2026-01-30"))  # the last Friday of January
    loaded = load(project)
    found = events(render_calendars(loaded.program, loaded.cohort)["triad-1.ics"])
    series = next(e for e in found if "rrule" in e)
    assert series["rrule"]["BYDAY"] == ["-1FR"]
    assert [d.date() for d in occurrences(series)][:3] == [dt.date(2026, 1, 30), dt.date(2026, 2, 27),
                                                           dt.date(2026, 3, 27)]
    assert "monthly, on the last Friday" in str(series["description"])


@pytest.mark.parametrize(("change", "line", "message"), [
    (("every_weeks: 2", "every_weeks: 2\n    monthly: first-tuesday"), 57,
     "guidelines.meetings.monthly: sessions are either every few weeks or monthly, not both"),
    (("    every_weeks: 2\n", ""), 55, "guidelines.meetings: how often groups meet is missing"),
    (("every_weeks: 2", "monthly: first tuesday"), 56, "did you mean 'first-tuesday'?"),
])
def test_both_or_neither_rhythm_is_a_located_error(tmp_path: Path, change: tuple[str, str], line: int,
                                                   message: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "golden" / "small" / "project", project,
                    ignore=shutil.ignore_patterns("build", ".handbook"))
    edit(project / "program.yaml", change)
    result = run_cli("check", "--project", project)
    assert result.exit_code == 2
    assert f"program.yaml:{line}:" in result.stderr and message in result.stderr
    assert "hint:" in result.stderr


def test_a_german_calendar_has_german_summaries_and_rhythm(tmp_path: Path) -> None:
    project = monthly_project(tmp_path / "project", ("language: en", "language: de"))
    loaded = load(project)
    with i18n.using(i18n.messages("de")):
        found = events(render_calendars(loaded.program, loaded.cohort)["triad-1.ics"])
        program_events = events(render_calendars(loaded.program, loaded.cohort)["program.ics"])
    summaries = [str(e["summary"]) for e in found]
    assert "Mentoring-Treffen (Ana Lima, Ben Okafor und Cai Wen)" in summaries
    assert "Abschlusstreffen (Ana Lima, Ben Okafor und Cai Wen)" in summaries
    series = next(e for e in found if "rrule" in e)
    assert "monatlich, am ersten Dienstag" in str(series["description"])
    assert "5. Mai 2026" in str(series["description"])
    check_in = next(e for e in found if str(e["summary"]).startswith("First check-in"))  # the coordinator's title
    assert "Die Koordination fragt:" in str(check_in["description"])
    words = " ".join(summaries + [str(e.get("description", "")) for e in found + program_events]
                     + [str(e["summary"]) for e in program_events])
    for english in ("session", "Closing", "coordinator asks", "every", "planned end", "takes effect"):
        assert english not in words


def test_the_rhythm_phrase_in_each_language() -> None:
    program = load_program(Layout(ROOT))
    meetings = program.guidelines.meetings
    weekly = meetings.model_copy(update={"every_weeks": 1})
    monthly = meetings.model_copy(update={"every_weeks": None, "monthly": "third-thursday"})
    assert [meeting_rhythm(m) for m in (meetings, weekly, monthly)] == [
        "every 2 weeks", "every week", "monthly, on the third Thursday"]
    assert meeting_rhythm(meetings, capital=True) == "Every 2 weeks"
    with i18n.using(i18n.messages("de")):
        assert [meeting_rhythm(m) for m in (meetings, weekly, monthly)] == [
            "alle 2 Wochen", "jede Woche", "monatlich, am dritten Donnerstag"]
    with i18n.using(i18n.messages("fr")):
        assert meeting_rhythm(monthly) == "tous les mois, le troisième jeudi"


def test_the_cached_schedule_speaks_the_language_of_its_reader() -> None:
    program = load_program(Layout(ROOT))
    schedule = review_schedule(program)
    english = [p.title for p in schedule]
    with i18n.using(i18n.messages("de")):
        german = [p.title for p in review_schedule(program)]
        detail = review_schedule(program).milestones[-1].detail
    assert "First session" in english and "Erstes Treffen" in german and "Geplantes Ende" in german
    assert detail.startswith("Abschlusstreffen")
    assert [p.title for p in review_schedule(program)] == english  # the German read left no German behind


def test_check_notes_a_minimum_the_rhythm_cannot_hold(tmp_path: Path) -> None:
    project = monthly_project(tmp_path / "project")  # at least 6 sessions, monthly over 3 months
    result = run_cli("check", "--project", project)
    assert result.exit_code == 0  # a note, not an error: the coordinator decides
    assert ("minimum_sessions asks for 6 sessions, but only 4 sessions fit in 3 months when groups meet monthly, "
            "on the first Tuesday") in result.stderr
    edit(project / "program.yaml", ("minimum_sessions: 6", "minimum_sessions: 4"))
    assert "minimum_sessions" not in run_cli("check", "--project", project).stderr
