"""Forms that come back: which forms a group returns, what the coordinator may read of them, when they are due.

Three of the printable forms go back to the coordinator once filled in: the mid-point check-in
(one per group, at the mid-point review), the session log and the closure reflection (at the
planned end; the reflection is personal, one per member, and returning it is optional). Each
carries three fields of its own: `hb-form` (which form, read-only), `hb-version` (its
fingerprint, read-only) and `hb-group` (the group id printed on the group's agreement).

What a form promises is what `handbook collect` keeps: the session log's count of sessions
(never its topics or commitments), the check-in's session count, how far each goal has come
(never the goal's wording), its answers to the review's questions and whether the group asks the
coordinator to get in touch; the reflection's session count and closing checklist (never the
name or the reflection). Everything else a returned form holds is read and dropped.

The fingerprint is the same in every language: it hashes the form's id, the program's version and
the names of its fields (ids, never words) for groups of `matching.group_size`, so a form whose
questions or rows change gets another, and a cohort with one larger group does not.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Literal, Optional

from handbook.errors import Problem
from handbook.model import Program
from handbook.plan.schedule import review_schedule

FORM_FIELD = "hb-form"  # the form's id, read-only
VERSION_FIELD = "hb-version"  # the form's fingerprint, read-only
GROUP_FIELD = "hb-group"  # the group id, written by the group (as on their agreement)
READ_ONLY = (FORM_FIELD, VERSION_FIELD)
IDENTITY = (FORM_FIELD, VERSION_FIELD, GROUP_FIELD)
FINGERPRINT_LENGTH = 8
GOALS = 3  # rows per member on the check-in (the SMART goal worksheet has room for three)
LOG_EXTRA = 4  # rows the session log has beyond `minimum_sessions`
MIDPOINT = "mid-point"  # which review a form is due at: the mid-point check-in ...
END = "end"  # ... or the planned end

Per = Literal["group", "member"]


@dataclass(frozen=True)
class ReturnedForm:
    """A form that comes back: its id, fields, fingerprint, what is kept of it and when it is due."""

    slug: str  # e.g. `mid-point-check-in`, as under build/pdf/forms/
    fields: frozenset[str]  # every field the current form has, identity fields included
    family: re.Pattern[str]  # every field any version of this form can have (older forms have other rows)
    fingerprint: str
    due: str  # MIDPOINT or END
    per: Per  # one return per group, or one per member
    optional: bool = False  # returning it is each member's choice: a missing one is no gap


_IDENTITY = "|".join(re.escape(name) for name in IDENTITY)
_FAMILIES = {
    "mid-point-check-in": r"date|sessions|agreement|contact|question-\d+|member-\d+-goal-\d+(-progress|-change)?",
    "session-log": r"log-\d+-(date|topic|commitments)",
    "closure-reflection": r"name|date|sessions|goals|changes|learned|keep|thanks|thanks-\d+(-name)?|closing-\d+",
}


def _fields(slug: str, program: Program, size: int) -> list[str]:
    """Return the names of the fields the current `slug` form has for groups of `size` (as its template writes them)."""
    if slug == "mid-point-check-in":
        names = ["date", "sessions", "agreement", "contact"]
        for member in range(1, size + 1):
            for goal in range(1, GOALS + 1):
                base = f"member-{member}-goal-{goal}"
                names += [base, f"{base}-progress", f"{base}-change"]
        names += [f"question-{n}" for n in range(1, len(review_schedule(program).midpoint.questions) + 1)]
        return names
    if slug == "session-log":
        rows = program.guidelines.meetings.minimum_sessions + LOG_EXTRA
        return [f"log-{n}-{part}" for n in range(1, rows + 1) for part in ("date", "topic", "commitments")]
    names = ["name", "date", "sessions", "goals", "changes", "learned", "keep"]
    names += ["thanks"] if size == 2 else [name for n in range(1, size) for name in (f"thanks-{n}-name", f"thanks-{n}")]
    return names + [f"closing-{n}" for n in range(1, len(program.closure.planned.steps) + 1)]


def fingerprint(slug: str, version: str, fields: frozenset[str]) -> str:
    """Return the fingerprint of a form: its id, the program's version and its field names, hashed."""
    text = json.dumps([slug, version, sorted(fields)], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def returned_forms(program: Program, size: int) -> dict[str, ReturnedForm]:
    """Return the forms that come back, by id, as the blank forms print them for groups of `size`."""
    forms = {}
    for slug, due, per, optional in (("mid-point-check-in", MIDPOINT, "group", False),
                                     ("session-log", END, "group", False),
                                     ("closure-reflection", END, "member", True)):
        fields = frozenset([*_fields(slug, program, size), *IDENTITY])
        family = re.compile(rf"(?:{_IDENTITY}|{_FAMILIES[slug]})")
        # Hashed with the rows of `matching.group_size`: a cohort with a larger group makes no new version.
        usual = frozenset(_fields(slug, program, program.matching.group_size))
        forms[slug] = ReturnedForm(slug, fields, family, fingerprint(slug, program.program.version, usual),
                                   due, per, optional)  # type: ignore[arg-type]
    return forms


@dataclass(frozen=True)
class Stored:
    """A return as stored: which form of which group, when collected, and what was kept of it."""

    id: int
    file: str
    collected: str
    form: str
    version: str
    group: str
    answers: dict[str, str]


def due_date(program: Program, form: ReturnedForm, start: dt.date) -> dt.date:
    """Return the date `form` is due in a relationship whose first session is on `start`."""
    schedule = review_schedule(program)
    points = {point.id: point for point in schedule}
    point = next(p for p in schedule if p.kind == "check-in" and p.midpoint) if form.due == MIDPOINT else \
        points["planned-end"]
    return schedule.date(point, start)


# --- what is kept of a returned form ----------------------------------------------------------

MAX_TEXT = 2000  # a free-text answer is cut after this many characters
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Return a free-text answer as kept: control characters removed, at most MAX_TEXT characters, trimmed."""
    return _CONTROL.sub("", value).strip()[:MAX_TEXT]


def session_count(value: str) -> Optional[int]:
    """Return the number in a "sessions held" answer (`7`, `7 sessions`, ` 12 `), or None when there is none."""
    found = re.fullmatch(r"\D{0,20}?(\d{1,3})\D{0,40}", value.strip())
    return int(found.group(1)) if found else None


def kept(form: ReturnedForm, values: dict[str, str]) -> dict[str, str]:
    """Return what the coordinator keeps of a returned `form`: its promise, nothing more.

    `values` are the form's fields as read (a ticked box or a chosen answer as its index from 0,
    as text; an empty field left out). Free text is cleaned; what the form keeps private is dropped.
    """
    out: dict[str, str] = {}
    if form.slug == "session-log":
        dates = [name for name, value in values.items() if re.fullmatch(r"log-\d+-date", name) and value.strip()]
        out["sessions"] = str(len(dates))
        return out
    for name, value in values.items():
        if not value.strip():
            continue
        if name == "sessions" and value.strip():
            out[name] = clean_text(value)
        elif form.slug == "mid-point-check-in" and (name in ("date", "contact") or name.endswith("-progress")
                                                      or name.startswith("question-")):
            out[name] = clean_text(value)
        elif form.slug == "closure-reflection" and name.startswith("closing-"):
            out[name] = clean_text(value)
    return out


# --- a returned form identified ---------------------------------------------------------------


@dataclass(frozen=True)
class Returned:
    """A filled-in form identified: which form, version and group it is from, and its answers."""

    file: str  # as shown in messages
    digest: str
    form: ReturnedForm
    version: str  # the fingerprint the form carries
    group: str
    values: dict[str, str]  # every answer as read, identity fields left out

    @property
    def current(self) -> bool:
        """Whether the form is the version this program prints today."""
        return self.version == self.form.fingerprint


def _some(items: list[str]) -> str:
    return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def identify(shown: str, digest: str, values: dict[str, str], forms: dict[str, ReturnedForm],
             groups: list[str]) -> Returned | Problem:
    """Return the filled form `shown` identified, or the one problem that refuses it.

    Refused: a form of no returned kind, a field its form cannot have (changed after it left
    the program), no group or one the cohort does not have (`Pair-01` and `pair 01` are
    `pair-01`). A form of an older version of the program (another fingerprint) is accepted.
    """
    def problem(message: str, hint: str = "") -> Problem:
        return Problem(shown, 0, 0, message, hint=hint)

    slug = clean_text(values.get(FORM_FIELD, ""))
    if slug not in forms:
        if not slug:
            return problem(f"has no field {FORM_FIELD!r}: it is no returned form of this program",
                           f"the forms that come back are {', '.join(sorted(forms))} (build/pdf/forms/)")
        return problem(f"is form {slug[:60]!r}, which does not come back to the coordinator",
                       f"the forms that come back are {', '.join(sorted(forms))}")
    form = forms[slug]
    strange = sorted(name for name in values if not form.family.fullmatch(name))
    if strange:
        listed = ", ".join(repr(name[:40]) for name in strange[:3]) + (" ..." if len(strange) > 3 else "")
        return problem(f"has fields the {slug} form does not have: {listed}",
                       "the file was changed after it left the program; ask the group for the form as they filled it")
    version = clean_text(values.get(VERSION_FIELD, ""))[:40]
    group = clean_text(values.get(GROUP_FIELD, ""))[:60]
    if not group:
        return problem("names no group: the field 'Group, as on your agreement' is empty",
                       f"ask the group to fill it in, or fill it in yourself; groups: {_some(groups)}")
    if group not in groups:
        written = {g.lower(): g for g in groups}.get(group.lower().replace(" ", "-").replace("_", "-"))
        if written is None:
            close = difflib.get_close_matches(group.lower(), groups, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            return problem(f"names group {group!r}, which cohort.yaml does not have",
                           hint + f"the groups are {_some(groups)}")
        group = written  # `Pair-01`, `pair 01`: the group as a hand writes it
    kept_values = {name: value for name, value in values.items() if name not in (FORM_FIELD, VERSION_FIELD, GROUP_FIELD)}
    return Returned(shown, digest, form, version, group, kept_values)


