"""The schedule of every relationship, computed once per program: its sessions, review points and their dates.

Plan room: pure facts derived from the program. Imports `handbook.model` and `handbook.i18n` (and
the standard library); calendars, agreements, forms and the book read it.

Every review point has an id and a kind: a check-in keeps its id from program.yaml; the two
points the generator adds have fixed ids (`first-session`, `planned-end`). Readers find a
point by its id, never by its title, so a coordinator may retitle a check-in, or give two the
same title, without a calendar event losing its identity.

The rhythm (`guidelines.meetings`) is either every N weeks (`every_weeks`) or monthly on a day
such as the first Tuesday (`monthly`). The dates of one relationship follow from its group's
start (cohort.yaml; without a cohort, the program's effective date), by these rules, which every
output shares (calendars, agreements, forms, site):

- First session: the group's start; with a monthly rhythm, the first day of the rhythm on or
  after the start (`monthly: start-weekday` takes the start's own weekday and week of the month,
  so the first session is the start).
- Check-ins: their `week` counted from the first session.
- Planned end (the closing session): the session of the rhythm nearest to `duration_months`
  calendar months after the first session (the later one when two are equally near; a month
  shorter than the day is clamped to its last day first). So the closing session falls on a
  session day, never on a Sunday because the calendar said so.
- Sessions: every day of the rhythm from the first session up to the day before the planned end.

The schedule is cached per program and holds no translated text: titles and details the
generator writes are catalog messages, translated when a reader asks (`Milestone.title`), so an
English and a German render of the same program never share words.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Iterator, Literal, Optional

from handbook import i18n
from handbook.i18n import N_
from handbook.model import (
    START_WEEKDAY,
    WEEKDAYS,
    WEEKS_OF_THE_MONTH,
    CheckIn,
    Meetings,
    Program,
)

# --- the generator's words ----------------------------------------------------------------
# Everything else in the schedule is the coordinator's text from program.yaml, printed as
# written. These are the only words the schedule writes itself (messages of the catalog,
# translated where they are shown).
FIRST_SESSION_TITLE = N_("First session")
FIRST_SESSION_DETAIL = N_("Read and sign this agreement together, and book the sessions.")
MIDPOINT_DETAIL = N_("%(format)s. We review our goals together.")  # `format` is the check-in's, from program.yaml
PLANNED_END_TITLE = N_("Planned end")
PLANNED_END_DETAIL = N_("Closing session; the relationship ends unless it ended earlier.")
# -------------------------------------------------------------------------------------------

Kind = Literal["start", "check-in", "end"]
START: Kind = "start"
CHECK_IN: Kind = "check-in"
END: Kind = "end"
_ORDER = {START: 0, CHECK_IN: 1, END: 2}  # on the same week: the first session first, the end last

FIRST_SESSION = "first-session"  # id of the first session
PLANNED_END = "planned-end"  # id of the planned end


def add_months(start: dt.date, months: int) -> dt.date:
    """Return `start` plus `months` calendar months, clamped to the end of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --- the rhythm ----------------------------------------------------------------------------


def _nth_weekday(year: int, month: int, week: int, weekday: int) -> dt.date:
    """Return the `week`-th (1-4, or -1 for the last) `weekday` (0 = Monday) of a month."""
    if week == -1:
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def monthly_day(meetings: Meetings, start: dt.date) -> tuple[int, int]:
    """Return (week of the month: 1-4 or -1 for the last, weekday: 0 = Monday) of a monthly rhythm.

    `start-weekday` takes them from the group's `start`; a fifth weekday of a month is its last.
    """
    if meetings.monthly == START_WEEKDAY:
        week = (start.day - 1) // 7 + 1
        return (-1 if week == 5 else week), start.weekday()
    assert meetings.monthly is not None
    week_name, day_name = meetings.monthly.split("-")
    week = WEEKS_OF_THE_MONTH.index(week_name) + 1
    return (-1 if week_name == "last" else week), WEEKDAYS.index(day_name)


def session_days(meetings: Meetings, start: dt.date) -> Iterator[dt.date]:
    """Yield the days of the rhythm, endlessly, from the first session of a group that starts on `start`."""
    if meetings.monthly is None:
        assert meetings.every_weeks is not None
        day = start
        while True:
            yield day
            day += dt.timedelta(weeks=meetings.every_weeks)
    week, weekday = monthly_day(meetings, start)
    year, month = start.year, start.month
    while True:
        day = _nth_weekday(year, month, week, weekday)
        if day >= start:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def first_session(meetings: Meetings, start: dt.date) -> dt.date:
    """Return the day of the first session of a group that starts on `start` (see the module's rules)."""
    return next(session_days(meetings, start))


def planned_end(program: Program, start: dt.date) -> dt.date:
    """Return the planned end (the closing session's day) of a relationship whose group starts on `start`.

    The one rule every output reads: the day of the rhythm nearest to `duration_months` calendar
    months after the first session, the later one on a tie (never the first session's own day).
    """
    meetings = program.guidelines.meetings
    first = first_session(meetings, start)
    nominal = add_months(first, program.program.duration_months)
    later = session_days(meetings, first)
    next(later)  # the first session itself: the relationship never ends on the day it starts
    before: Optional[dt.date] = None
    for day in later:
        if day >= nominal:
            return day if before is None or (day - nominal) <= (nominal - before) else before
        before = day
    raise AssertionError("unreachable: the rhythm never ends")  # pragma: no cover


def sessions(program: Program, start: dt.date) -> tuple[dt.date, ...]:
    """Return the days of the regular sessions of a group that starts on `start`: up to the closing session."""
    end = planned_end(program, start)
    days = []
    for day in session_days(program.guidelines.meetings, start):
        if day >= end:
            break
        days.append(day)
    return tuple(days)


_ORDINALS = {  # "monthly, on the first Tuesday": one whole message per week of the month
    1: (N_("monthly, on the first %(weekday)s"), N_("Monthly, on the first %(weekday)s")),
    2: (N_("monthly, on the second %(weekday)s"), N_("Monthly, on the second %(weekday)s")),
    3: (N_("monthly, on the third %(weekday)s"), N_("Monthly, on the third %(weekday)s")),
    4: (N_("monthly, on the fourth %(weekday)s"), N_("Monthly, on the fourth %(weekday)s")),
    -1: (N_("monthly, on the last %(weekday)s"), N_("Monthly, on the last %(weekday)s")),
}


def meeting_rhythm(meetings: Meetings, start: Optional[dt.date] = None, *, capital: bool = False) -> str:
    """Return how often groups meet, in the current language: `every 2 weeks`, `monthly, on the first Tuesday`.

    `start` is a group's start, which makes `start-weekday` a day (without it, the phrase says
    "the weekday the group started on"). `capital`: the phrase begins a sentence or a table cell.
    """
    if meetings.monthly is None:
        weeks = meetings.every_weeks or 1
        if weeks == 1:
            return i18n._("Every week") if capital else i18n._("every week")
        if capital:
            return i18n.ngettext("Every %(num)s week", "Every %(num)s weeks", weeks)
        return i18n.ngettext("every %(num)s week", "every %(num)s weeks", weeks)
    if meetings.monthly == START_WEEKDAY and start is None:
        if capital:
            return i18n._("Monthly, on the weekday and week of the month of the first session")
        return i18n._("monthly, on the weekday and week of the month of the first session")
    week, weekday = monthly_day(meetings, start or dt.date(2024, 1, 1))
    name = i18n.current().weekday(dt.date(2024, 1, 1) + dt.timedelta(days=weekday))  # 2024-01-01 is a Monday
    return i18n._(_ORDINALS[week][1 if capital else 0], weekday=name)


def rhythm_notes(program: Program) -> tuple[str, ...]:
    """Return notes for the coordinator (current language) when the rhythm cannot hold `minimum_sessions`.

    Counted for a group that starts on the program's effective date, the closing session included.
    """
    meetings = program.guidelines.meetings
    fit = len(sessions(program, program.program.effective_date)) + 1
    if meetings.minimum_sessions <= fit:
        return ()
    return (i18n.ngettext(
        "note: guidelines.meetings.minimum_sessions asks for %(minimum)s sessions, but only %(num)s session fits in "
        "%(period)s when groups meet %(rhythm)s (the closing session included).",
        "note: guidelines.meetings.minimum_sessions asks for %(minimum)s sessions, but only %(num)s sessions fit in "
        "%(period)s when groups meet %(rhythm)s (the closing session included).",
        fit, minimum=i18n.current().number(meetings.minimum_sessions), rhythm=meeting_rhythm(meetings),
        period=i18n.current().months(program.program.duration_months)),)


# --- review points -------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    """A point in every relationship: its id and kind, weeks after the first session, and what happens.

    Ids are unique within a kind: a check-in's id is its own, so one may even be called
    `planned-end`; (kind, id) names a point of the schedule. `title` and `detail` are read in
    the current language: the coordinator's words as written, the generator's translated.
    """

    id: str  # the check-in's id from program.yaml, or FIRST_SESSION / PLANNED_END
    kind: Kind
    week: int  # for the planned end, rounded: its date follows the rule of `planned_end`
    name: str  # a check-in's title as written, else the message of the generator's title
    format: str = ""  # a check-in's format as written
    midpoint: bool = False  # the check-in closest to the middle of the relationship

    @property
    def title(self) -> str:
        """The point's title: a check-in's as written, else the generator's in the current language."""
        return self.name if self.kind == CHECK_IN else i18n._(self.name)

    @property
    def detail(self) -> str:
        """What happens at this point, in the current language (a check-in's format as written)."""
        if self.kind == START:
            return i18n._(FIRST_SESSION_DETAIL)
        if self.kind == END:
            return i18n._(PLANNED_END_DETAIL)
        if self.midpoint:
            return i18n._(MIDPOINT_DETAIL, format=self.format)
        return f"{self.format}."


@dataclass(frozen=True)
class Schedule:
    """The review points of a relationship in order, and the check-in closest to its middle."""

    milestones: tuple[Milestone, ...]
    midpoint: CheckIn
    months: int  # the planned length, in calendar months
    program: Program

    def __iter__(self) -> Iterator[Milestone]:
        return iter(self.milestones)

    def __len__(self) -> int:
        return len(self.milestones)

    def check_in(self, ident: str) -> Milestone:
        """Return the review point of the check-in with this id (KeyError when there is none)."""
        for point in self.milestones:
            if point.kind == CHECK_IN and point.id == ident:
                return point
        raise KeyError(ident)

    def date(self, point: Milestone, start: dt.date) -> dt.date:
        """Return the date of `point` in a relationship whose group starts on `start`."""
        if point.kind == END:
            return planned_end(self.program, start)
        return first_session(self.program.guidelines.meetings, start) + dt.timedelta(weeks=point.week)

    def dated(self, start: dt.date) -> tuple[tuple[Milestone, dt.date], ...]:
        """Return each review point with its date, for a relationship whose group starts on `start`."""
        return tuple((point, self.date(point, start)) for point in self.milestones)


def _midpoint(program: Program) -> CheckIn:
    middle = program.program.duration_months * 52 / 12 / 2
    return min(program.monitoring.check_ins, key=lambda c: (abs(c.week - middle), c.week))


@functools.lru_cache(maxsize=16)  # the model is immutable: every reader of one program shares one schedule
def review_schedule(program: Program) -> Schedule:
    """Return the schedule of every relationship: first session, check-ins, planned end."""
    months = program.program.duration_months
    middle = _midpoint(program)
    points = [Milestone(FIRST_SESSION, START, 0, FIRST_SESSION_TITLE)]
    for check in program.monitoring.check_ins:
        points.append(Milestone(check.id, CHECK_IN, check.week, check.title, check.format, check.id == middle.id))
    points.append(Milestone(PLANNED_END, END, round(months * 52 / 12), PLANNED_END_TITLE))
    return Schedule(tuple(sorted(points, key=lambda p: (p.week, _ORDER[p.kind]))), middle, months, program)
