"""Calendars parse back, repeat at the program's cadence, keep stable UIDs and the program's time zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import ROOT
from icalendar import Calendar

from handbook.errors import Problem
from handbook.layout import Layout
from handbook.load.cohort import load_cohort
from handbook.load.project import load_program
from handbook.render.calendars import render_calendars, session_count

PROGRAM = load_program(Layout(ROOT))
COHORT = load_cohort(ROOT, "cohort.yaml", PROGRAM, Problem("program.yaml", 0, 0, ""))


def events(data: bytes) -> list:
    return [c for c in Calendar.from_ical(data).walk("VEVENT")]


def occurrences(event) -> list[dt.datetime]:  # type: ignore[no-untyped-def]
    """Return the start of every occurrence of a recurring event, as a calendar application expands it."""
    from dateutil.rrule import rrulestr

    return list(rrulestr(event["rrule"].to_ical().decode(), dtstart=event.decoded("dtstart")))


def test_one_calendar_per_group_and_one_for_the_program() -> None:
    files = render_calendars(PROGRAM, COHORT)
    assert sorted(files) == sorted(["program.ics"] + [f"{g.id}.ics" for g in COHORT.groups])


def test_group_calendar_has_the_session_series_check_ins_and_closing() -> None:
    group = COHORT.groups[0]
    found = events(render_calendars(PROGRAM, COHORT)[f"{group.id}.ics"])
    series = next(e for e in found if "rrule" in e)
    rule = series["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [PROGRAM.guidelines.meetings.every_weeks]
    start = series.decoded("dtstart")
    count = session_count(PROGRAM, group.start)
    assert len(occurrences(series)) == count >= PROGRAM.guidelines.meetings.minimum_sessions
    closing = next(e for e in found if str(e["summary"]).startswith("Closing session"))
    assert occurrences(series)[-1] < closing.decoded("dtstart")  # the series stops before the closing session
    assert start.date() == group.start and str(start.tzinfo) == PROGRAM.program.timezone
    assert series.decoded("dtend") - start == dt.timedelta(minutes=PROGRAM.guidelines.meetings.length_minutes)
    attendees = [str(a) for a in series.get("attendee")]
    members = COHORT.members(group)
    assert attendees == [f"mailto:{m.email}" for m in members]
    titles = [str(e["summary"]) for e in found]
    for check in PROGRAM.monitoring.check_ins:
        event = next(e for e in found if str(e["summary"]).startswith(check.title))
        assert event.decoded("dtstart") == group.start + dt.timedelta(weeks=check.week)
    assert any(t.startswith("Closing session") for t in titles)


def test_uids_are_unique_and_stable_across_renders() -> None:
    first = render_calendars(PROGRAM, COHORT)
    second = render_calendars(PROGRAM, COHORT)
    assert first == second
    uids = [str(e["uid"]) for data in first.values() for e in events(data)]
    assert len(uids) == len(set(uids))
    assert all("@handbook." in uid for uid in uids)


def program_with(folder: Path, *edits: tuple[str, str]):  # type: ignore[no-untyped-def]
    """Return the example program with each (old, new) text of program.yaml replaced once."""
    text = (ROOT / "program.yaml").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    (folder / "program.yaml").write_text(text, encoding="utf-8")
    return load_program(Layout(folder))


def by_uid(data: bytes) -> dict[str, object]:
    return {str(e["uid"]): e for e in events(data)}


def test_a_retitled_check_in_keeps_its_event(tmp_path: Path) -> None:
    group = COHORT.groups[0]
    before = by_uid(render_calendars(PROGRAM, COHORT)[f"{group.id}.ics"])
    program = program_with(tmp_path, ("title: Two-week check-in", "title: Fortnight call"))
    after = by_uid(render_calendars(program, COHORT)[f"{group.id}.ics"])
    assert sorted(after) == sorted(before)  # a re-import updates the events, it adds none
    uid = next(u for u, e in before.items() if str(e["summary"]).startswith("Two-week check-in"))
    assert str(after[uid]["summary"]).startswith("Fortnight call (")
    assert after[uid].decoded("dtstart") == group.start + dt.timedelta(weeks=2)
    assert not any("Two-week check-in" in str(e["summary"]) for e in after.values())


def test_two_check_ins_with_the_same_title_are_both_in_the_calendar(tmp_path: Path) -> None:
    group = COHORT.groups[0]
    program = program_with(tmp_path, ("title: End-of-first-month check-in", "title: Two-week check-in"))
    found = by_uid(render_calendars(program, COHORT)[f"{group.id}.ics"])
    same = sorted((e for e in found.values() if str(e["summary"]).startswith("Two-week check-in (")),
                  key=lambda e: e.decoded("dtstart"))
    assert [e.decoded("dtstart") for e in same] == [group.start + dt.timedelta(weeks=w) for w in (2, 4)]
    assert "Does the match feel workable so far?" in str(same[0]["description"])
    assert "How many sessions have you held?" in str(same[1]["description"])
    assert len({str(e["uid"]) for e in same}) == 2
    assert len(found) == len(by_uid(render_calendars(PROGRAM, COHORT)[f"{group.id}.ics"]))


def test_a_check_in_in_the_first_week_is_in_the_calendar(tmp_path: Path) -> None:
    group = COHORT.groups[0]
    program = program_with(tmp_path, ("title: Two-week check-in\n      week: 2", "title: Kick-off call\n      week: 0"))
    found = events(render_calendars(program, COHORT)[f"{group.id}.ics"])
    kick_off = next(e for e in found if str(e["summary"]).startswith("Kick-off call ("))
    assert kick_off.decoded("dtstart") == group.start


def test_program_calendar_holds_training_and_milestones() -> None:
    found = events(render_calendars(PROGRAM, None)["program.ics"])
    summaries = [str(e["summary"]) for e in found]
    dated = [m for m in PROGRAM.training.modules if m.date]
    assert len(dated) >= 5
    for module in dated:
        assert f"Training: {module.title}" in summaries
    assert any("program review" in s for s in summaries)
    launch = next(e for e in found if str(e["summary"]) == "Training: Active listening skills")
    assert launch.decoded("dtstart").hour == 10 and launch.decoded("dtstart").minute == 45


def test_no_cohort_means_only_the_program_calendar(tmp_path: Path) -> None:
    assert list(render_calendars(PROGRAM, None)) == ["program.ics"]


def test_the_build_writes_the_calendars(built_example: Path) -> None:
    project = built_example
    folder = project / "build" / "calendar"
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.ics"))
    # The program calendar in each language (the example's second is German), each group's in its own language
    assert written == sorted(["program.ics", "de/program.ics"] + [f"{g.id}.ics" for g in COHORT.groups])
    for path in folder.rglob("*.ics"):
        assert events(path.read_bytes())
    # Group calendars name people: never on the site. The program calendar (offered there) names nobody.
    on_site = list((project / "build" / "site").rglob("*.ics"))
    assert sorted(p.relative_to(project / "build" / "site").as_posix() for p in on_site) == \
        ["de/downloads/calendar/program.ics", "downloads/calendar/program.ics"]
    for path in on_site:
        text = path.read_text(encoding="utf-8")
        assert not any(p.name in text or p.email in text for p in COHORT.participants)


# Every UID of the example's calendars as built before ids were transliterated (pair and triad
# events, program milestones and training). People's calendars key events by UID: these must not
# change, or a re-import duplicates every event.
EXAMPLE_DOMAIN = "handbook.northwind-logistics.peer-mentoring-leadership"
EXAMPLE_UIDS = {
    *(f"{group}-{event}" for group in ("pair-01", "pair-02", "pair-03", "pair-04", "pair-05", "pair-06", "triad-01")
      for event in ("sessions", "week-2", "week-4", "mid-point", "final-review", "closing")),
    "milestone-effective", "milestone-review", "milestone-cycle-end",
    *(f"training-{module}" for module in ("orientation-and-agreement", "active-listening", "setting-measurable-goals",
                                          "effective-mentoring-techniques", "conflict-resolution-strategies",
                                          "peer-practice-refresher", "closing-and-reflection")),
}


def test_the_example_calendars_keep_their_uids(built_example: Path) -> None:
    uids = {str(e["uid"]) for path in (built_example / "build" / "calendar").glob("*.ics")
            for e in events(path.read_bytes())}
    assert {f"{uid}@{EXAMPLE_DOMAIN}" for uid in EXAMPLE_UIDS} <= uids


def test_umlauts_in_the_program_name_are_spelled_out_in_uids(tmp_path: Path) -> None:
    program = program_with(tmp_path, ("organization: Northwind Logistics", "organization: Klinikverbund Süd"),
                           ("name: Peer Mentoring – Leadership", "name: Führungskreise für Stationsleitungen"))
    uids = {str(e["uid"]) for data in render_calendars(program, COHORT).values() for e in events(data)}
    assert uids and all(uid.endswith("@handbook.klinikverbund-sued.fuehrungskreise-fuer-stationsleitungen")
                        for uid in uids)
