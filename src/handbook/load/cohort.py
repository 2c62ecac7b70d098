"""The cohort: the people of one cycle and the groups they were matched into.

The cohort file (named by `cohort:` in program.yaml, e.g. `cohort.yaml`) is personal data:
names, emails and roster attributes go into agreements and calendars only, never into the
site. Loading follows program.yaml: YAML with positions, then schema and cross-references,
every problem reported at once with file and line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import Field, StringConstraints

from handbook.errors import InputError, Problem, did_you_mean
from handbook.load.validate import schema_problems
from handbook.load.yamlsource import Source, load_yaml
from handbook.model import Email, Language, Model, Program, Slug, Text

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
AttributeKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
RESERVED_GROUP_IDS = frozenset({"blank", "terms"})  # agreements/blank.pdf and terms.pdf


class Participant(Model):
    """A person in the cohort."""

    id: Slug
    name: Name = Field(description="Full name, as printed on the agreement.")
    email: Email = Field(description="Work email address.")
    role: Optional[Slug] = Field(
        None, description="Id of the role the person holds (see `overview.roles`); default: the first role."
    )
    department: Optional[Text] = Field(None, description="Department or team, e.g. `Transport Planning`.")
    manager: Optional[Text] = Field(None, description="Name or id of the person's line manager.")
    timezone: Optional[Text] = Field(None, description="Time zone the person works in, e.g. `Europe/Berlin`.")
    attributes: dict[AttributeKey, Text] = Field(
        default_factory=dict, description="Other attributes, e.g. `site: Hamburg`. Never printed."
    )
    language: Optional[Language] = Field(
        None, description="The language the person reads the papers in, one of `program.languages`, e.g. `de`. "
        "A group whose members all name the same language gets its papers in it."
    )


class Group(Model):
    """A group of 2 to 7 participants (a pair, a triad, a circle) who meet and sign one agreement."""

    id: Slug
    members: tuple[Slug, ...] = Field(
        min_length=2, max_length=7,
        description="Ids of the participants, in signing order: `matching.group_size` of them, or one more "
        "(when the cohort does not divide evenly; with pairs, a triad only if `matching.allow_triad`).",
    )
    start: dt.date = Field(description="Date of the group's first session (YYYY-MM-DD).")
    language: Optional[Language] = Field(
        None, description="The language of the group's agreement, forms and calendar, one of `program.languages`, "
        "e.g. `de`. Left out: the language all its members name, or else the program's source language."
    )
    signed: Optional[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(
        None, description="What the group signed: the fingerprint printed on its agreement (e.g. `7035-5166-cedd`), "
        "or the program's version. When it is not the current one, `handbook build` lists the group in "
        "build/private/re-sign.csv: its text changed, and it signs again."
    )


def _group_sizes(program: Program) -> set[int]:
    """Return the group sizes the program allows: `group_size`, or one more where a cohort does not divide."""
    size = program.matching.group_size
    if size == 2:
        return {2, 3} if program.matching.allow_triad else {2}
    return {size, size + 1}


def _size_problem(program: Program, gid: str, count: int) -> tuple[str, str]:
    """Return the message and hint for a group whose size the program does not allow."""
    size = program.matching.group_size
    if size == 2 and count == 3:
        return (f"group {gid!r} has three members, but the program allows pairs only",
                "set `matching.allow_triad: true` in program.yaml, or split the group")
    allowed = sorted(_group_sizes(program))
    sizes = f"{size} members" + (f", or {allowed[-1]} where the cohort does not divide evenly" if len(allowed) > 1
                                 else "")
    return (f"group {gid!r} has {count} members, but `matching.group_size` is {size}",
            f"groups have {sizes}; move members between groups, or change `matching.group_size` in program.yaml")


class Cohort(Model):
    """One cycle's participants and the groups they were matched into: the root of the cohort file."""

    name: Optional[Text] = Field(None, description="Name of the cycle, e.g. `Autumn 2026`.")
    participants: tuple[Participant, ...] = Field(min_length=1, description="Everyone in the cycle.")
    groups: tuple[Group, ...] = Field((), description="The groups (pairs, triads, circles); empty until matching is done.")

    def participant(self, participant_id: str) -> Participant:
        """Return the participant with this id."""
        return next(p for p in self.participants if p.id == participant_id)

    def members(self, group: Group) -> tuple[Participant, ...]:
        """Return the participants of `group`, in signing order."""
        return tuple(self.participant(i) for i in group.members)

    def language(self, group: Group, default: str) -> str:
        """Return the language of `group`'s papers: its own, else the one all its members name, else `default`."""
        if group.language:
            return group.language
        named = {person.language for person in self.members(group)}
        return named.pop() if len(named) == 1 and None not in named else default


def _mappings(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _duplicates(source: Source, key: str, field: str, what: str, *, fold: bool = False) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, item in _mappings(source.data, key):
        value = item.get(field)
        if not isinstance(value, str):
            continue
        seen = value.casefold() if fold else value
        if seen in first:
            line = source.position((key, first[seen], field))[0]
            yield source.problem((key, index, field), f"duplicate {what} {value!r} (first used on line {line})",
                                 f"each {what} appears once in the cohort")
        else:
            first[seen] = index


def reference_problems(source: Source, program: Program | None) -> list[Problem]:
    """Return duplicate ids and emails, unknown members and roles, and people in two groups."""
    data = source.data
    problems: list[Problem] = []
    problems += _duplicates(source, "participants", "id", "participant id")
    problems += _duplicates(source, "participants", "email", "email address", fold=True)
    problems += _duplicates(source, "groups", "id", "group id")
    for index, group in _mappings(data, "groups"):
        if group.get("id") in RESERVED_GROUP_IDS:
            problems.append(source.problem(("groups", index, "id"), f"the group id {group['id']!r} is reserved",
                                           f"its agreement would replace agreements/{group['id']}.pdf; use another id"))
    known = [p["id"] for _, p in _mappings(data, "participants") if isinstance(p.get("id"), str)]
    placed: dict[str, tuple[str, int]] = {}
    for index, group in _mappings(data, "groups"):
        members = group.get("members")
        if not isinstance(members, list):
            continue
        gid = group.get("id") if isinstance(group.get("id"), str) else f"groups[{index}]"
        for j, member in enumerate(members):
            if not isinstance(member, str):
                continue
            at = ("groups", index, "members", j)
            if member not in known:
                problems.append(source.problem(at, f"unknown participant {member!r}{did_you_mean(member, known)}",
                                               "members are ids from `participants`"))
            elif members.index(member) != j:
                problems.append(source.problem(at, f"participant {member!r} is named twice in group {gid!r}",
                                               "each member of a group is a different person"))
            elif member in placed:
                other, line = placed[member]
                problems.append(source.problem(at, f"participant {member!r} is already in group {other!r} "
                                                   f"(line {line})",
                                               "each participant belongs to one group; "
                                               "to rematch, remove them from the old group"))
            else:
                placed[member] = (gid, source.position(at)[0])
        if program is not None and len(members) not in _group_sizes(program):
            problems.append(source.problem(("groups", index, "members"), *_size_problem(program, gid, len(members))))
    if program is not None:
        problems += _language_problems(source, program)
        roles = [r.id for r in program.overview.roles]
        for index, person in _mappings(data, "participants"):
            role = person.get("role")
            if isinstance(role, str) and role not in roles:
                problems.append(source.problem(("participants", index, "role"),
                                               f"unknown role {role!r}{did_you_mean(role, roles)}",
                                               f"role ids are defined in program.yaml under `overview.roles`: "
                                               f"{', '.join(roles)}"))
    return problems


def _language_problems(source: Source, program: Program) -> Iterator[Problem]:
    """Yield a problem for each group or participant language the program is not published in."""
    languages = list(program.program.languages or (program.program.language,))
    for key in ("groups", "participants"):
        for index, item in _mappings(source.data, key):
            language = item.get("language")
            if isinstance(language, str) and language not in languages:
                yield source.problem((key, index, "language"),
                                     f"the program is not published in {language!r}{did_you_mean(language, languages)}",
                                     f"use one of `program.languages` in program.yaml ({', '.join(languages)}), or "
                                     "add the language there")


def validate_cohort(source: Source, program: Program | None) -> Cohort:
    """Return the Cohort of `source`, or raise InputError with every problem found."""
    problems = schema_problems(source, Cohort)
    if isinstance(source.data, dict):
        problems += reference_problems(source, program)
    if problems:
        raise InputError(problems)
    return Cohort.model_validate(source.data)


def cohort_file(root: Path, name: str, where: Problem) -> Path:
    """Return the cohort file `name` inside the project `root`, or raise InputError located at `where`."""
    path = (root / name).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        raise InputError([Problem(where.file, where.line, where.column,
                                  f"the cohort file {name!r} is outside the project folder", "cohort",
                                  "keep the cohort file next to program.yaml", where.source_line)]) from None
    if not path.is_file():
        raise InputError([Problem(where.file, where.line, where.column, f"the cohort file {name!r} does not exist",
                                  "cohort", "create it, or remove the `cohort:` line to build without "
                                            "agreements for named groups", where.source_line)])
    return path


def read_cohort(root: Path, name: str, program: Program | None, where: Problem) -> tuple[Cohort, Source]:
    """Read and validate the cohort file `name` of the project at `root`; raise InputError with every problem.

    Return the cohort and the file as read, whose positions locate later problems (the matching's
    hard constraints). `where` locates the `cohort:` key in program.yaml, for problems with the file
    itself. `program` is None when program.yaml is invalid: the cohort is then checked on its own.
    """
    path = cohort_file(root, name, where)
    source = load_yaml(path.read_bytes(), Path(name).as_posix())
    return validate_cohort(source, program), source


def load_cohort(root: Path, name: str, program: Program | None, where: Problem) -> Cohort:
    """Read and validate the cohort file `name` of the project at `root`, as `read_cohort` does."""
    return read_cohort(root, name, program, where)[0]
