"""The schedule of every relationship, computed once per program: its review points and their dates.

Plan room: pure facts derived from the program. Imports only `handbook.model` (and the standard
library); calendars, agreements, forms and the book read it.

Every review point has an id and a kind: a check-in keeps its id from program.yaml; the two
points the generator adds have fixed ids (`first-session`, `planned-end`). Readers find a
point by its id, never by its title, so a coordinator may retitle a check-in, or give two the
same title, without a calendar event losing its identity.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Iterator, Literal

from handbook.model import CheckIn, Program

# --- the generator's words ----------------------------------------------------------------
# Everything else in the schedule is the coordinator's text from program.yaml, printed as
# written. These are the only words the schedule writes itself (for the message catalog).
FIRST_SESSION_TITLE = "First session"
FIRST_SESSION_DETAIL = "Read and sign this agreement together, and book the sessions."
CHECK_IN_DETAIL = "{format}."  # `format` is the check-in's, from program.yaml
MIDPOINT_DETAIL = "{format}. We review our goals together."
PLANNED_END_TITLE = "Planned end"
PLANNED_END_DETAIL = "Closing session; the relationship ends unless it ended earlier."
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


@dataclass(frozen=True)
class Milestone:
    """A point in every relationship: its id and kind, weeks after the start, and what happens.

    Ids are unique within a kind: a check-in's id is its own, so one may even be called
    `planned-end`; (kind, id) names a point of the schedule.
    """

    id: str  # the check-in's id from program.yaml, or FIRST_SESSION / PLANNED_END
    kind: Kind
    week: int  # for the planned end, rounded: its date is `duration_months` calendar months on
    title: str
    detail: str


@dataclass(frozen=True)
class Schedule:
    """The review points of a relationship in order, and the check-in closest to its middle."""

    milestones: tuple[Milestone, ...]
    midpoint: CheckIn
    months: int  # the planned length, in calendar months

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
        """Return the date of `point` in a relationship that starts on `start`."""
        if point.kind == END:
            return add_months(start, self.months)
        return start + dt.timedelta(weeks=point.week)

    def dated(self, start: dt.date) -> tuple[tuple[Milestone, dt.date], ...]:
        """Return each review point with its date, for a relationship that starts on `start`."""
        return tuple((point, self.date(point, start)) for point in self.milestones)


def _midpoint(program: Program) -> CheckIn:
    middle = program.program.duration_months * 52 / 12 / 2
    return min(program.monitoring.check_ins, key=lambda c: (abs(c.week - middle), c.week))


@functools.lru_cache(maxsize=16)  # the model is immutable: every reader of one program shares one schedule
def review_schedule(program: Program) -> Schedule:
    """Return the schedule of every relationship: first session, check-ins, planned end."""
    months = program.program.duration_months
    middle = _midpoint(program)
    points = [Milestone(FIRST_SESSION, START, 0, FIRST_SESSION_TITLE, FIRST_SESSION_DETAIL)]
    for check in program.monitoring.check_ins:
        detail = (MIDPOINT_DETAIL if check.id == middle.id else CHECK_IN_DETAIL).format(format=check.format)
        points.append(Milestone(check.id, CHECK_IN, check.week, check.title, detail))
    points.append(Milestone(PLANNED_END, END, round(months * 52 / 12), PLANNED_END_TITLE, PLANNED_END_DETAIL))
    return Schedule(tuple(sorted(points, key=lambda p: (p.week, _ORDER[p.kind]))), middle, months)

