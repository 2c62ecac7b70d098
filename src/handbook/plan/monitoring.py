"""What the returned forms say, for the coordinator and, aggregated, for everyone: pure, from stored returns.

For the coordinator (build/private/monitoring.html): per form, how many came back of how many
are due and expected; the groups that missed a form that is due or asked to be contacted (a list
to act on: MENTOR's monitoring standard); answers per question. For the site: only figures over
at least `K_ANONYMITY` respondents, each count under it shown as "fewer than 5"; never a group,
never free text.

A group's latest return of a form counts (a corrected form replaces the one before); the
closure reflection is personal, so each of a group's returns counts, up to its members.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Iterable, Optional

from handbook.load.cohort import Cohort
from handbook.model import Program
from handbook.plan.returns import (
    ReturnedForm,
    Stored,
    due_date,
    returned_forms,
    session_count,
)
from handbook.plan.schedule import review_schedule

K_ANONYMITY = 5  # a figure on the site needs at least this many respondents, a count at least this much
PROGRESS = 3  # the answers of "how far has this goal come": yes, partly, not yet


@dataclass(frozen=True)
class Gap:
    """A group to act on: it missed a form that is due, or asked to be contacted."""

    group: str
    form: str  # the form's id
    due: Optional[dt.date] = None  # when the missed form was due
    collected: str = ""  # when the form asking for contact came in


@dataclass(frozen=True)
class FormStatus:
    """How many of a form came back: expected (everyone), due by today, returned; those of an older version."""

    form: ReturnedForm
    expected: int
    due: int
    returned: int
    older: int
    missing: tuple[Gap, ...]


@dataclass(frozen=True)
class Answer:
    """A free-text answer of a group (coordinator only)."""

    group: str
    text: str
    older: bool  # from a form of an older version, whose question may have read differently


@dataclass(frozen=True)
class Monitoring:
    """Everything the monitoring report shows, as of `today`."""

    today: dt.date
    groups: int
    forms: tuple[FormStatus, ...]
    contact: tuple[Gap, ...]
    progress: tuple[int, ...]  # how many goals are at yes, partly, not yet (latest check-ins)
    progress_groups: int  # groups whose check-in answered at least one progress question
    progress_spread: tuple[int, ...]  # how many groups gave each answer (yes, partly, not yet) at least once
    sessions: dict[str, int]  # the highest session count any of a group's forms gives
    steps: tuple[tuple[str, int], ...]  # each closing step as written, and how many reflections ticked it
    reflections: int
    questions: tuple[tuple[str, tuple[Answer, ...]], ...]  # each check-in question as written, and its answers
    older_files: tuple[Stored, ...]
    total: int  # returns stored

    @property
    def answered(self) -> bool:
        """Whether any check-in answered a question in words."""
        return any(answers for _question, answers in self.questions)

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """Every group to act on: missed forms first, then requests for contact."""
        return tuple(gap for status in self.forms for gap in status.missing) + self.contact


def _latest(returns: Iterable[Stored]) -> dict[tuple[str, str], Stored]:
    latest: dict[tuple[str, str], Stored] = {}
    for item in returns:  # oldest first: a later one replaces it
        latest[(item.form, item.group)] = item
    return latest


def monitoring(program: Program, cohort: Cohort, returns: list[Stored], today: dt.date, size: int) -> Monitoring:
    """Return what `returns` say about `cohort` as of `today` (`size`: the members the blank forms have rows for)."""
    forms = returned_forms(program, size)
    groups = {group.id: group for group in cohort.groups}
    known = [item for item in returns if item.group in groups and item.form in forms]
    latest = _latest(known)
    statuses = []
    for slug, form in forms.items():
        mine = [item for item in known if item.form == slug]
        due = {gid: due_date(program, form, group.start) <= today for gid, group in groups.items()}
        if form.per == "member":
            counted = [item for group in groups.values()
                       for item in [i for i in mine if i.group == group.id][-len(group.members):]]
            expected = sum(len(group.members) for group in groups.values())
            due_count = sum(len(group.members) for gid, group in groups.items() if due[gid])
        else:
            counted = [latest[(slug, gid)] for gid in groups if (slug, gid) in latest]
            expected = len(groups)
            due_count = sum(due.values())
        returned_groups = {item.group for item in mine}
        missing = () if form.optional else tuple(
            Gap(gid, slug, due_date(program, form, group.start)) for gid, group in groups.items()
            if due[gid] and gid not in returned_groups)
        statuses.append(FormStatus(form, expected, due_count, len(counted),
                                   sum(1 for item in counted if item.version != form.fingerprint), missing))
    check_ins = [item for (slug, _g), item in latest.items() if slug == "mid-point-check-in"]
    contact = tuple(Gap(item.group, item.form, collected=item.collected) for item in check_ins
                    if item.answers.get("contact"))
    progress, spread = [0] * PROGRESS, [0] * PROGRESS
    answered = 0
    for item in check_ins:
        choices = [int(value) for name, value in item.answers.items()
                   if name.endswith("-progress") and value.isdigit() and int(value) < PROGRESS]
        answered += bool(choices)
        for value in choices:
            progress[value] += 1
        for value in set(choices):
            spread[value] += 1
    sessions: dict[str, int] = {}
    for item in known:  # sessions only add up: the highest count any form of the group gives
        count = session_count(item.answers.get("sessions", ""))
        if count is not None:
            sessions[item.group] = max(count, sessions.get(item.group, 0))
    reflections = [item for item in known if item.form == "closure-reflection"]
    steps = tuple((step, sum(1 for item in reflections if item.answers.get(f"closing-{n}")))
                  for n, step in enumerate(program.closure.planned.steps, start=1))
    questions = tuple(
        (question, tuple(Answer(item.group, item.answers[f"question-{n}"], item.version != forms[item.form].fingerprint)
                         for item in sorted(check_ins, key=lambda i: i.group) if item.answers.get(f"question-{n}")))
        for n, question in enumerate(review_schedule(program).midpoint.questions, start=1))
    older = tuple(item for item in known if item.version != forms[item.form].fingerprint)
    return Monitoring(today, len(groups), tuple(statuses), contact, tuple(progress), answered, tuple(spread), sessions, steps,
                      len(reflections), questions, older, len(known))


# --- the site's figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A figure the site may show: what it counts, and its parts; a count under K_ANONYMITY is None."""

    kind: str  # "returned", "progress", "sessions", "step"
    respondents: int
    parts: tuple[Optional[int], ...]  # counts (None: fewer than K_ANONYMITY), or the median of sessions
    label: str = ""  # a form's id, or a closing step as written
    total: int = 0  # how many were expected (a form's returns)


def _cell(count: int) -> Optional[int]:
    return count if count >= K_ANONYMITY else None


def public_figures(report: Monitoring) -> tuple[Figure, ...]:
    """Return the figures the site shows: each over at least K_ANONYMITY respondents, small counts hidden.

    A figure with fewer respondents is left out. No group, no free text, no file name.
    """
    figures = []
    for status in report.forms:
        if status.returned >= K_ANONYMITY:
            figures.append(Figure("returned", status.returned, (status.returned,), status.form.slug, status.expected))
    if report.progress_groups >= K_ANONYMITY:  # a count of goals is shown when at least 5 groups make it up
        figures.append(Figure("progress", report.progress_groups,
                              tuple(count if groups >= K_ANONYMITY else None
                                    for count, groups in zip(report.progress, report.progress_spread))))
    if len(report.sessions) >= K_ANONYMITY:
        median = statistics.median(report.sessions.values())
        figures.append(Figure("sessions", len(report.sessions), (round(median),)))
    if report.reflections >= K_ANONYMITY:
        for step, count in report.steps:
            figures.append(Figure("step", report.reflections, (_cell(count),), step, report.reflections))
    return tuple(figures)
