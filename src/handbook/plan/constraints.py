"""The matching's hard constraints applied to a hand-written cohort: what `handbook check` refuses.

`handbook match` never forms a group that breaks `matching.constraints`; a coordinator who writes
or edits the groups of the cohort file by hand gets the same rules here, read pair by pair with
the matcher's own definitions (`match_key`, `manager_keys`, `utc_offset` of plan/matching.py):
- `different_manager`: two members share a manager, or one is the other's manager (by id, name
  or email);
- `different_department`: two members are in the same department;
- `max_timezone_gap_hours`: two members' time zones are further apart on the group's start date.
A field left out (no manager, no department, no time zone) breaks nothing. `no_repeat_partners`
is not checked: a cohort file holds one cycle only, and earlier cycles reach the matcher through
`handbook match --previous`.

Each pair that breaks a constraint is one problem, located at the later member of the pair in
the group's `members`.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import available_timezones

from handbook.errors import Problem, did_you_mean
from handbook.load.cohort import Cohort, Participant
from handbook.load.roster import Person
from handbook.load.yamlsource import Source
from handbook.model import Constraints, Program
from handbook.plan.rules import ZONE_HINT, manager_keys, match_key, utc_offset

SETTING = "matching.constraints"
HINT = ("swap one of them with a member of another group, or let `handbook match` form the groups; "
        f"the rules are under `{SETTING}` in program.yaml")


def _person(participant: Participant) -> Person:
    """Return the participant as the matcher sees a roster row (a field left out is blank)."""
    return Person(participant.id, participant.name, participant.email, participant.department or "",
                  participant.manager or "", participant.timezone or "")


def _hours(value: float) -> str:
    number = f"{value:g}"
    return f"{number} hour" if number == "1" else f"{number} hours"


def _manager_clause(a: Person, b: Person) -> str | None:
    """Return how `a` and `b` share a reporting line, or None when they do not."""
    if match_key(a.manager) and match_key(a.manager) == match_key(b.manager):
        return f"share the manager {a.manager.strip()}"
    for member, manager in ((a, b), (b, a)):
        if match_key(member.manager) in manager_keys(manager):
            return f"are in one reporting line: {member.id}'s manager is {member.manager.strip()}"
    return None


def _clauses(a: Person, b: Person, rules: Constraints, when: dt.date) -> list[str]:
    """Return what the pair (a, b) does that `rules` forbid, one clause per constraint broken."""
    clauses = []
    if rules.different_manager:
        clause = _manager_clause(a, b)
        if clause:
            clauses.append(clause)
    if rules.different_department and match_key(a.department) and \
            match_key(a.department) == match_key(b.department):
        clauses.append(f"are both in {a.department.strip()}")
    limit = rules.max_timezone_gap_hours
    if limit is not None and a.timezone.strip() and b.timezone.strip():
        first, second = utc_offset(a.timezone, when), utc_offset(b.timezone, when)
        if first is not None and second is not None and abs(first - second) > limit:
            clauses.append(f"are {_hours(abs(first - second))} apart ({a.timezone.strip()}, {b.timezone.strip()}) "
                           f"on {when.isoformat()}, more than `{SETTING}.max_timezone_gap_hours`: {limit}")
    return clauses


def _joined(clauses: list[str]) -> str:
    return clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]


def _zone_problems(cohort: Cohort, source: Source) -> list[Problem]:
    """Return a problem for each time zone written in the cohort that the matcher cannot read."""
    problems = []
    for index, person in enumerate(cohort.participants):
        zone = (person.timezone or "").strip()
        if zone and utc_offset(zone, dt.date(2000, 1, 1)) is None:  # any date: a zone is known or not
            problems.append(source.problem(
                ("participants", index, "timezone"),
                f"unknown time zone {person.timezone!r} for {person.id!r}"
                f"{did_you_mean(zone, available_timezones())}; `{SETTING}.max_timezone_gap_hours` needs it",
                ZONE_HINT))
    return problems


def constraint_problems(cohort: Cohort, program: Program, source: Source) -> list[Problem]:
    """Return a problem for every pair of group members that breaks a hard constraint of `program`.

    `source` is the cohort file the `cohort` was read from, for the problems' positions.
    """
    rules = program.matching.constraints
    problems = _zone_problems(cohort, source) if rules.max_timezone_gap_hours is not None else []
    people = {p.id: _person(p) for p in cohort.participants}
    for index, group in enumerate(cohort.groups):
        members = [people[m] for m in group.members]
        for j, later in enumerate(members):
            for earlier in members[:j]:
                clauses = _clauses(earlier, later, rules, group.start)
                if clauses:
                    problems.append(source.problem(("groups", index, "members", j),
                                                   f"{earlier.id} and {later.id} {_joined(clauses)}", HINT))
    return problems
