"""`handbook match`: roster in, cohort file and coordinator report out."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from handbook import i18n
from handbook.errors import InputError, Problem
from handbook.layout import Layout
from handbook.load.cohort import validate_cohort
from handbook.load.locale import words
from handbook.load.project import load_program
from handbook.load.roster import Person, read_roster
from handbook.load.yamlsource import load_yaml
from handbook.model import Program
from handbook.output.workspace import private_dir, write_atomically
from handbook.plan.matching import MatchResult, match
from handbook.render.matchreport import cohort_yaml, report_html


@dataclass(frozen=True)
class MatchRun:
    """What a match produced and where it was written."""

    result: MatchResult
    cohort_path: Path
    report_path: Path
    greedy_total: float | None
    seconds: float


def display_name(path: Path, root: Path) -> str:
    """Return how messages name a file: relative to the project when inside it, else as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def previous_groups(paths: Sequence[Path], root: Path) -> list[frozenset[str]]:
    """Return the groups of earlier cohort files, as sets of participant ids."""
    groups: list[frozenset[str]] = []
    problems: list[Problem] = []
    for path in paths:
        name = display_name(path, root)
        if not path.is_file():
            problems.append(Problem(name, 0, 0, "the earlier cohort file does not exist",
                                    hint="--previous names a cohort file of an earlier cycle"))
            continue
        try:
            cohort = validate_cohort(load_yaml(path.read_bytes(), name), None)
        except InputError as exc:
            problems += exc.problems
            continue
        groups += [frozenset(g.members) for g in cohort.groups]
    if problems:
        raise InputError(problems)
    return groups


def _write(path: Path, text: str) -> None:
    """Write a file of personal data (names, emails, scores) in one step, for its owner only.

    Missing folders are made for the owner only too (build/private/ before any build).
    """
    private_dir(path.parent)
    write_atomically(path, text)


def _check_languages(people: Sequence[Person], program: Program, roster_name: str) -> None:
    """Refuse a roster `language` the program is not published in, at its line (the cohort file would be refused)."""
    languages = list(program.program.languages or (program.program.language,))
    problems = [Problem(roster_name, person.line, list(person.attributes).index("language") + 1, f"{person.id!r} reads {person.attributes['language']!r}, a "
                        "language the program is not published in",
                        hint=f"use one of `program.languages` in program.yaml ({', '.join(languages)}), or leave the "
                             "cell empty for the source language")
                for person in people if person.attributes.get("language") and
                person.attributes["language"] not in languages]
    if problems:
        raise InputError(problems)


def run_match(root: Path, roster: Path, out: Path, *, start: dt.date | None = None, name: str | None = None,
              previous: Sequence[Path] = ()) -> MatchRun:
    """Match the people of `roster` under the program at `root`; write the cohort file and the report."""
    began = time.perf_counter()
    layout = Layout(root.resolve())
    program = load_program(layout)
    roster_name = display_name(roster, layout.root)
    if not roster.is_file():
        raise InputError([Problem(roster_name, 0, 0, "the roster file does not exist",
                                  hint="export the roster as CSV with the columns id,name,email,department,manager")])
    policy = program.matching
    people = read_roster(roster.read_bytes(), roster_name, policy,
                         needs_timezone=policy.constraints.max_timezone_gap_hours is not None)
    _check_languages(people, program, roster_name)
    earlier = previous_groups(previous, layout.root)
    start = start or program.program.effective_date
    # The greedy baseline reuses the match's pass over every pair rather than scoring them again.
    result = match(people, policy, when=start, previous=earlier, roster_name=roster_name, with_greedy=True)
    greedy_total = result.greedy_total
    cohort_name = name or f"{program.program.name} {start.isoformat()}"
    report = layout.outputs.match_report
    with i18n.using(words(layout, program)):  # the cohort file's header and the report in the program's language
        cohort = cohort_yaml(result, people, start=start, name=cohort_name, roster=Path(roster_name).name)
        html = report_html(program, result, roster=Path(roster_name).name, greedy_total=greedy_total, start=start)
    _write(out, cohort)
    _write(report, html)
    return MatchRun(result, out, report, greedy_total, time.perf_counter() - began)
