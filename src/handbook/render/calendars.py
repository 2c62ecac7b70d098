"""Calendars, pure: one .ics per group (sessions, check-ins, closing) and one for the program.

A group's sessions are ONE recurring event (RRULE: weekly with an interval, or monthly on a day
such as the first Tuesday) from its first session until the day before its closing session, at
the suggested start time and length, in the program's time zone; every date comes from
`handbook.plan.schedule`, which the agreements read too. Every word is the current language's
(catalog messages; the coordinator's text as written).

Stable UIDs (program, group and event ids, never a counter or a clock) make a re-import update
the events instead of duplicating them. DTSTAMP comes from SOURCE_DATE_EPOCH, so output repeats.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handbook import i18n
from handbook.errors import InputError, Problem
from handbook.i18n import _, ngettext
from handbook.load.cohort import Cohort, Group
from handbook.load.validate import slugify
from handbook.model import Module, Program
from handbook.plan.schedule import (
    CHECK_IN,
    END,
    first_session,
    meeting_rhythm,
    monthly_day,
    planned_end,
    review_schedule,
    sessions,
)
from handbook.render.templating import training_format

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


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


def session_count(program: Program, start: dt.date | None = None) -> int:
    """Return how many regular sessions a group starting on `start` holds before its closing session.

    Without `start`, a group starting on the program's effective date.
    """
    return len(sessions(program, start or program.program.effective_date))


def recurrence(program: Program, start: dt.date, until: dt.datetime) -> object:
    """Return the RRULE of a group's sessions: weekly every N weeks, or monthly on a day such as 1TU."""
    from icalendar import vRecur

    meetings = program.guidelines.meetings
    if meetings.monthly is None:
        return vRecur({"freq": "weekly", "interval": meetings.every_weeks, "until": until})
    week, weekday = monthly_day(meetings, start)
    return vRecur({"freq": "monthly", "byday": f"{week}{_BYDAY[weekday]}", "until": until})


class _Builder:
    def __init__(self, program: Program, name: str, identity: Program | None = None) -> None:
        from icalendar import Calendar

        self.program = program
        self.zone = program_zone(program)
        # The UID domain, from the source language's names (`identity`) in every language: an event keeps its UID
        # when a group changes language. ASCII names give the same UIDs as ever (calendars key on them).
        info = (identity or program).program
        self.domain = (f"handbook.{slugify(info.organization, max_length=None, fallback='program')}"
                       f".{slugify(info.name, max_length=None, fallback='program')}")
        self.calendar = Calendar()
        self.calendar.add("prodid", "-//handbook//program handbooks as code//EN")
        self.calendar.add("version", "2.0")
        self.calendar.add("calscale", "GREGORIAN")
        self.calendar.add("x-wr-calname", name)
        self.calendar.add("x-wr-timezone", program.program.timezone)

    def event(self, uid: str, summary: str, start: dt.date | dt.datetime, *, minutes: int | None = None,
              description: str = "", rrule: object | None = None, location: str | None = None,
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
        if location:
            event.add("location", location)
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


def group_calendar(program: Program, cohort: Cohort, group: Group, identity: Program | None = None) -> bytes:
    """Return the calendar of one group: the session series, check-ins, reviews and the closing meeting."""
    words = i18n.current()
    meetings = program.guidelines.meetings
    members = cohort.members(group)
    names = words.list(m.name for m in members)
    build = _Builder(program, f"{program.program.name}: {names}", identity)
    attendees = tuple((m.name, m.email) for m in members)
    first = first_session(meetings, group.start)
    end = planned_end(program, group.start)
    count = len(sessions(program, group.start))
    # The series stops before the closing session's day, which is an event of its own.
    until = build.at(end - dt.timedelta(days=1), dt.time(23, 59, 59)).astimezone(dt.timezone.utc)
    length = words.minutes(meetings.length_minutes)
    summary = ngettext("%(num)s session, %(rhythm)s, %(length)s each, until the closing session on %(end)s.",
                       "%(num)s sessions, %(rhythm)s, %(length)s each, until the closing session on %(end)s.",
                       count, rhythm=meeting_rhythm(meetings, group.start), length=length, end=words.date(end))
    build.event(f"{group.id}-sessions", _("Mentoring session (%(names)s)", names=names),
                build.at(first, meetings.start_time), minutes=meetings.length_minutes,
                rrule=recurrence(program, group.start, until), attendees=attendees,
                description=summary + "\n\n" + _("Scheduling: %(scheduling)s", scheduling=meetings.scheduling))
    checks = {check.id: check for check in program.monitoring.check_ins}
    # UIDs name the check-in by its id, so retitling one in program.yaml updates its event.
    for point, day in review_schedule(program).dated(group.start):
        if point.kind == CHECK_IN:
            questions = "\n".join([_("The coordinator asks:")] + [f"- {q}" for q in checks[point.id].questions])
            build.event(f"{group.id}-{point.id}", f"{point.title} ({names})", day,
                        description=f"{point.detail}\n\n{questions}")
        elif point.kind == END:
            build.event(f"{group.id}-closing", _("Closing session (%(names)s)", names=names),
                        build.at(day, meetings.start_time), minutes=meetings.length_minutes,
                        description=point.detail, attendees=attendees)
    return build.to_bytes()


def _module_events(build: _Builder, module: Module) -> None:
    """Add a training module's sessions: the first keeps the UID `training-<id>` it always had."""
    words = i18n.current()
    held = module.schedule
    description = (f"{training_format(module.format)}, {words.hours(module.hours)}. "
                   + " ".join(module.objectives))
    for number, session in enumerate(held, start=1):
        uid = f"training-{module.id}" if number == 1 else f"training-{module.id}-{number}"
        if session.start is None:
            build.event(uid, _("Training: %(title)s", title=module.title), session.date, description=description,
                        location=session.place)
            continue
        start = build.at(session.date, session.start)
        finish = session.finish
        if finish is not None:
            minutes = round((build.at(session.date, finish) - start).total_seconds() / 60)
        else:
            minutes = round(module.hours * 60 / len(held))
        build.event(uid, _("Training: %(title)s", title=module.title), start, minutes=minutes,
                    description=description, location=session.place)


def cycle_end(program: Program, cohort: Cohort | None) -> dt.date:
    """Return the planned end of the cycle: the last group's closing session (without a cohort, a group's
    that starts on the program's effective date)."""
    starts = {group.start for group in cohort.groups} if cohort is not None and cohort.groups else set()
    return max(planned_end(program, start) for start in (starts or {program.program.effective_date}))


def program_calendar(program: Program, cohort: Cohort | None = None, identity: Program | None = None) -> bytes:
    """Return the program calendar: training sessions with a date, and the program's milestones."""
    info = program.program
    build = _Builder(program, info.name, identity)
    for module in program.training.modules:
        _module_events(build, module)
    build.event("milestone-effective", _("%(program)s %(version)s takes effect", program=info.name,
                                         version=info.version), info.effective_date)
    build.event("milestone-cycle-end", _("%(program)s: planned end of the relationships", program=info.name),
                cycle_end(program, cohort),
                description=_("The day the last relationship of the cycle ends as planned. Each group's "
                              "calendar and agreement give the day of its own closing session."))
    build.event("milestone-review", _("%(program)s: program review", program=info.name), info.review_date,
                description=_("Review of the program, its handbook and its agreement."))
    return build.to_bytes()


def render_calendars(program: Program, cohort: Cohort | None, groups: Cohort | None = None,
                     identity: Program | None = None) -> dict[str, bytes]:
    """Return every calendar file by its path under build/calendar/.

    `groups` is the part of the cohort whose calendars are wanted (in a program of several
    languages, the groups of `program`'s language); the program calendar counts the whole cohort.
    `identity` is the program in its source language, whose names make the events' UIDs.
    """
    files = {"program.ics": program_calendar(program, cohort, identity)}
    if cohort is not None:
        for group in (groups if groups is not None else cohort).groups:
            files[f"{group.id}.ics"] = group_calendar(program, cohort, group, identity)
    return files
