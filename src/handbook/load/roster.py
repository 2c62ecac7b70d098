"""Read a roster exported from HR (CSV) into people, with every problem located by line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from handbook.errors import InputError, Problem, did_you_mean
from handbook.load.validate import slugify
from handbook.load.yamlsource import decode
from handbook.model import Matching

REQUIRED_COLUMNS = ("id", "name", "email", "department", "manager")
MAX_ROSTER_BYTES = 20 * 1024 * 1024
# `handbook match` takes about 45 s and 350 MB for this many people on two cores; time grows with
# the square of the roster and more, so a bigger roster is refused rather than left running for an hour.
MAX_ROSTER_PEOPLE = 20_000
VALUE_SEPARATOR = ";"  # inside a cell: several values, e.g. "strategy; hiring"


@dataclass(frozen=True)
class Person:
    """One participant as the roster describes them."""

    id: str
    name: str
    email: str
    department: str
    manager: str
    timezone: str = ""
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    line: int = field(default=0, compare=False)

    def values(self, column: str) -> frozenset[str]:
        """Return the set of normalised values of a cell (several separated by `;`)."""
        raw = self.attributes.get(column, "")
        return frozenset(v.strip().lower() for v in raw.split(VALUE_SEPARATOR) if v.strip())


def read_roster(raw: bytes, name: str, policy: Matching, *, needs_timezone: bool) -> list[Person]:
    """Return the people of a roster CSV, or raise InputError naming file, line and column."""
    if len(raw) > MAX_ROSTER_BYTES:
        raise InputError([Problem(name, 0, 0, f"the roster is larger than {MAX_ROSTER_BYTES // 2**20} MB",
                                  hint="is this the right file?")])
    text = decode(raw, name)  # a byte-order mark, as Excel writes it, is fine
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputError([Problem(name, 1, 1, "the roster is empty",
                                  hint=f"the first line names the columns: {','.join(REQUIRED_COLUMNS)},...")])
    header = lines[0]
    if header.count(";") > header.count(",") and header.count(";") >= 2:
        raise InputError([Problem(name, 1, 1, "the columns are separated by semicolons, expected commas",
                                  hint="in Excel use Save As > CSV UTF-8 (Comma delimited); "
                                       "semicolons may separate several values inside one cell",
                                  source_line=header)])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        columns = [c.strip().lower() for c in next(reader)]
    except csv.Error as exc:
        raise InputError([Problem(name, 1, 1, f"cannot read the header: {exc}", source_line=header)]) from None
    required = list(REQUIRED_COLUMNS) + (["timezone"] if needs_timezone else [])
    criteria = [c.column for c in policy.criteria]
    for column in required:
        if column not in columns:
            problems.append(Problem(name, 1, 1, f"missing column {column!r}{did_you_mean(column, columns)}",
                                    hint=f"the roster needs the columns {', '.join(required)}",
                                    source_line=header))
    for column in criteria:
        if column not in columns:
            problems.append(Problem(name, 1, 1, f"matching criterion {column!r} names a column the roster lacks"
                                    f"{did_you_mean(column, columns)}",
                                    hint="add the column to the roster, or change `matching.criteria` in "
                                         "program.yaml", source_line=header))
    seen_columns: set[str] = set()
    for column in columns:
        if column in seen_columns:
            problems.append(Problem(name, 1, 1, f"column {column!r} appears twice", source_line=header))
        seen_columns.add(column)
    if problems:
        raise InputError(problems)
    people: list[Person] = []
    first_line: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            source = lines[line - 1] if line <= len(lines) else ""
            if len(row) != len(columns):
                problems.append(Problem(name, line, 1, f"expected {len(columns)} cells, found {len(row)}",
                                        hint="a cell with a comma inside needs double quotes", source_line=source))
                continue
            cells = {c: v.strip() for c, v in zip(columns, row)}
            ident = cells["id"]
            if not ident:
                problems.append(Problem(name, line, 1, "the id is empty", source_line=source))
                continue
            if slugify(ident) != ident.lower() or len(ident) > 64:
                problems.append(Problem(name, line, 1, f"id {ident!r} is not usable as an id",
                                        hint=f"use letters, digits and hyphens, e.g. {slugify(ident)!r}",
                                        source_line=source))
                continue
            if ident in first_line:
                problems.append(Problem(name, line, 1, f"duplicate id {ident!r} (first on line {first_line[ident]})",
                                        hint="each person appears once in the roster", source_line=source))
                continue
            if len(people) == MAX_ROSTER_PEOPLE:
                problems.append(Problem(name, line, 1, f"the roster lists more than {MAX_ROSTER_PEOPLE:,} people, "
                                        "the most `handbook match` pairs in one run",
                                        hint="split the roster, e.g. by site or business unit, and match each part "
                                             "into its own cohort file with --out", source_line=source))
                break
            first_line[ident] = line
            for column in ("name", "email"):
                if not cells[column]:
                    problems.append(Problem(name, line, columns.index(column) + 1, f"{column} is empty",
                                            source_line=source))
            if needs_timezone and not cells.get("timezone"):
                problems.append(Problem(name, line, columns.index("timezone") + 1, "timezone is empty",
                                        hint="write a zone such as Europe/Berlin or an offset such as +01:00",
                                        source_line=source))
            people.append(Person(ident, cells["name"], cells["email"], cells["department"], cells["manager"],
                                 cells.get("timezone", ""), cells, line))
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num, 1, f"cannot read the CSV: {exc}",
                                hint="check the quotes on this line"))
    if not problems and len(people) < 2:
        problems.append(Problem(name, 2 if people else 1, 1,
                                f"the roster lists {len(people)} participant{'s' if len(people) != 1 else ''}; "
                                "matching needs at least 2"))
    if problems:
        raise InputError(problems)
    return people
