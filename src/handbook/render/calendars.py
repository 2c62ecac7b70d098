"""Calendars, pure: one .ics per group (sessions, check-ins, closing) and one for the program.

Stable UIDs (program, group and event ids, never a counter or a clock) make a re-import update
the events instead of duplicating them. DTSTAMP comes from SOURCE_DATE_EPOCH, so output repeats.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handbook.errors import InputError, Problem
from handbook.load.cohort import Cohort, Group
from handbook.load.validate import slugify
from handbook.model import Program
from handbook.plan.schedule import CHECK_IN, END, add_months, review_schedule


def _stamp(program: Program) -> dt.datetime:
    """Return SOURCE_DATE_EPOCH as a time, else the program's effective date: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.combine(program.program.effective_date, dt.time(0), dt.timezone.utc)


def program_zone(program: Program) -> ZoneInfo:
    """Return the program's time zone, or raise InputError located at `program.timezone`."""
    try:
        return ZoneInfo(program.program.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError([Problem("program.yaml", 0, 0, f"unknown time zone {program.program.timezone!r}",
                                  "program.timezone", "use a zone name such as Europe/Berlin or UTC")]) from None


def session_count(program: Program) -> int:
    """Return how many sessions fit the relationship at the program's cadence (at least the minimum)."""
    meetings = program.guidelines.meetings
    weeks = program.program.duration_months * 52 / 12
    return max(meetings.minimum_sessions, math.floor(weeks / meetings.every_weeks))


class _Builder:
    def __init__(self, program: Program, name: str) -> None:
        from icalendar import Calendar

        self.program = program
        self.zone = program_zone(program)
        info = program.program  # the UID domain; ASCII names give the same UIDs as ever (calendars key on them)
        self.domain = (f"handbook.{slugify(info.organization, max_length=None, fallback='program')}"
                       f".{slugify(info.name, max_length=None, fallback='program')}")
        self.calendar = Calendar()
        self.calendar.add("prodid", "-//handbook//program handbooks as code//EN")
        self.calendar.add("version", "2.0")
        self.calendar.add("calscale", "GREGORIAN")
        self.calendar.add("x-wr-calname", name)
        self.calendar.add("x-wr-timezone", program.program.timezone)

    def event(self, uid: str, summary: str, start: dt.date | dt.datetime, *, minutes: int | None = None,
              description: str = "", rrule: dict[str, object] | None = None,
              attendees: tuple[tuple[str, str], ...] = ()) -> None:
        from icalendar import Event, vCalAddress

        event = Event()
        event.add("uid", f"{uid}@{self.domain}")
        event.add("dtstamp", _stamp(self.program))
        event.add("summary", summary)
        if isinstance(start, dt.datetime):
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(minutes=minutes or 60))
        else:
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(days=1))
        if description:
            event.add("description", description)
        if rrule:
            event.add("rrule", rrule)
        for name, email in attendees:
            address = vCalAddress(f"mailto:{email}")
            address.params["cn"] = name
            address.params["role"] = "REQ-PARTICIPANT"
            event.add("attendee", address, encode=0)
        self.calendar.add_component(event)

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, self.zone)

    def to_bytes(self) -> bytes:
        self.calendar.add_missing_timezones()
        return self.calendar.to_ical()


def group_calendar(program: Program, cohort: Cohort, group: Group) -> bytes:
    """Return the calendar of one group: the session series, check-ins, reviews and the closing meeting."""
    meetings = program.guidelines.meetings
    members = cohort.members(group)
    names = " & ".join(m.name for m in members)
    build = _Builder(program, f"{program.program.name}: {names}")
    attendees = tuple((m.name, m.email) for m in members)
    count = session_count(program)
    build.event(f"{group.id}-sessions", f"Peer mentoring session ({names})", build.at(group.start, meetings.start_time),
                minutes=meetings.length_minutes, rrule={"freq": "weekly", "interval": meetings.every_weeks,
                                                         "count": count},
                description=f"{count} sessions, every {meetings.every_weeks} weeks, {meetings.length_minutes} "
                            f"minutes. Scheduling: {meetings.scheduling}", attendees=attendees)
    checks = {check.id: check for check in program.monitoring.check_ins}
    # UIDs name the check-in by its id, so retitling one in program.yaml updates its event.
    for point, day in review_schedule(program).dated(group.start):
        if point.kind == CHECK_IN:
            questions = "\n".join(f"- {q}" for q in checks[point.id].questions)
            build.event(f"{group.id}-{point.id}", f"{point.title} ({names})", day,
                        description=f"{point.detail}\n\nThe coordinator asks:\n{questions}")
        elif point.kind == END:
            build.event(f"{group.id}-closing", f"Closing session ({names})", build.at(day, meetings.start_time),
                        minutes=meetings.length_minutes, description=point.detail, attendees=attendees)
    return build.to_bytes()


def program_calendar(program: Program) -> bytes:
    """Return the program calendar: training sessions with a date, and the program's milestones."""
    info = program.program
    build = _Builder(program, info.name)
    for module in program.training.modules:
        if module.date is None:
            continue
        start: dt.date | dt.datetime = build.at(module.date, module.start_time) if module.start_time else module.date
        build.event(f"training-{module.id}", f"Training: {module.title}", start,
                    minutes=round(module.hours * 60), description=f"{module.format}, {module.hours:g} h. "
                    + " ".join(module.objectives))
    build.event("milestone-effective", f"{info.name} {info.version} takes effect", info.effective_date)
    end = add_months(info.effective_date, info.duration_months)
    build.event("milestone-cycle-end", f"{info.name}: planned end of the relationships", end)
    build.event("milestone-review", f"{info.name}: program review", info.review_date,
                description="Review of the program, its handbook and its agreement.")
    return build.to_bytes()


def render_calendars(program: Program, cohort: Cohort | None) -> dict[str, bytes]:
    """Return every calendar file by its path under build/calendar/."""
    files = {"program.ics": program_calendar(program)}
    if cohort is not None:
        for group in cohort.groups:
            files[f"{group.id}.ics"] = group_calendar(program, cohort, group)
    return files
