"""The schedule of every relationship, computed once: its review points and their dates.

Plan room: pure facts derived from the program. Imports only `handbook.model` (and the standard
library); calendars, agreements, forms, the site and the book read it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Optional

from handbook.model import CheckIn, Program


def add_months(start: dt.date, months: int) -> dt.date:
    """Return `start` plus `months` calendar months, clamped to the end of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def midpoint_check_in(program: Program) -> CheckIn:
    """Return the check-in closest to the middle of the relationship."""
    middle = program.program.duration_months * 52 / 12 / 2
    return min(program.monitoring.check_ins, key=lambda c: (abs(c.week - middle), c.week))


@dataclass(frozen=True)
class Milestone:
    """A point in every relationship: weeks after the start (or its planned end), and what happens."""

    week: int
    title: str
    detail: str
    end: bool = False  # the planned end: `duration_months` calendar months after the start


def review_schedule(program: Program) -> tuple[Milestone, ...]:
    """Return the review points of a relationship, in order: first session, check-ins, planned end."""
    middle = midpoint_check_in(program)
    points = [Milestone(0, "First session", "Read and sign this agreement together, and book the sessions.")]
    for check in program.monitoring.check_ins:
        detail = check.format + (". We review our goals together." if check.id == middle.id else ".")
        points.append(Milestone(check.week, check.title, detail))
    points.append(Milestone(round(program.program.duration_months * 52 / 12), "Planned end",
                            "Closing session; the relationship ends unless it ended earlier.", end=True))
    return tuple(sorted(points, key=lambda p: (p.week, p.end)))


def review_dates(program: Program, start: dt.date) -> tuple[dt.date, ...]:
    """Return the date of each review point of a relationship that starts on `start`."""
    months = program.program.duration_months
    return tuple(add_months(start, months) if point.end else start + dt.timedelta(weeks=point.week)
                 for point in review_schedule(program))


@dataclass(frozen=True)
class DatedPoint:
    """A review point of one relationship: weeks after the start, its date, what happens."""

    week: int
    date: Optional[dt.date]  # None when the start is unknown
    title: str
    detail: str


def review_points(program: Program, start: Optional[dt.date]) -> tuple[DatedPoint, ...]:
    """Return the review points of a relationship that starts on `start`, with their dates."""
    schedule = review_schedule(program)
    dates: tuple[Optional[dt.date], ...] = review_dates(program, start) if start else (None,) * len(schedule)
    return tuple(DatedPoint(p.week, d, p.title, p.detail) for p, d in zip(schedule, dates))
