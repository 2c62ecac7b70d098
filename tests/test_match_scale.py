"""Matching at scale: memory grows with the roster, not its square; a roster beyond the limit is refused."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, build_file_tree, example_program, run_cli

from benchmarks.roster_gen import roster_csv
from handbook.layout import Layout
from handbook.load import roster as roster_module
from handbook.load.project import load_program
from handbook.load.roster import read_roster
from handbook.plan import matching
from handbook.plan.matching import match

PEOPLE = 3000
DENSE_MATRIX_MB = PEOPLE * PEOPLE * 8 / 2**20  # one 3,000 × 3,000 matrix of floats: 69 MB

# Runs in its own process so that its peak resident memory belongs to this match alone.
CHILD = f"""
import datetime as dt, json, resource, sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from benchmarks.roster_gen import roster_csv
from handbook.plan.matching import greedy, match
from handbook.layout import Layout
from handbook.load.project import load_program
from handbook.load.roster import read_roster

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

policy = load_program(Layout(Path({str(ROOT)!r}))).matching
people = read_roster(roster_csv({PEOPLE}).encode(), "roster.csv", policy, needs_timezone=True)
before = peak()
result = match(people, policy, when=dt.date(2026, 9, 1))
baseline = greedy(people, policy, when=dt.date(2026, 9, 1))
print(json.dumps({{"growth": peak() - before, "placed": sum(len(g.members) for g in result.groups),
                  "total": result.total, "greedy": baseline}}))
"""


def test_matching_3000_people_takes_less_memory_than_one_dense_score_matrix() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    assert figures["placed"] == PEOPLE
    assert figures["greedy"] is None or figures["total"] >= figures["greedy"]
    assert figures["growth"] < DENSE_MATRIX_MB, figures


def test_a_roster_beyond_the_limit_is_refused_at_the_first_person_too_many(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert roster_module.MAX_ROSTER_PEOPLE >= 20_000  # the size the README promises
    monkeypatch.setattr(roster_module, "MAX_ROSTER_PEOPLE", 40)
    project = build_file_tree(tmp_path / "p", {**example_program(),
                                               "roster.csv": roster_csv(45, 1)})
    result = run_cli("match", project / "roster.csv", "--project", project)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith("roster.csv:42:1: the roster lists more than 40 people, the most "
                                    "`handbook match` pairs in one run\n    p0040,Person 40,"), result.stderr
    assert "hint: split the roster" in result.stderr and "Traceback" not in result.stderr
    assert not (project / "cohort.yaml").exists()


def test_a_column_with_more_answers_than_the_table_holds_scores_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = load_program(Layout(ROOT)).matching
    rows = roster_csv(301, 4).splitlines()
    for i in range(1, len(rows)):  # fractional experience and an extra value of expertise per person
        cells = rows[i].split(",")
        cells[8] = f"{int(cells[8]) + i / 1000:.3f}"
        cells[9] += f";x{i % 97}"
        rows[i] = ",".join(cells)
    people = read_roster(("\n".join(rows) + "\n").encode(), "roster.csv", policy, needs_timezone=True)

    def figures() -> tuple:
        result = match(people, policy, when=dt.date(2026, 9, 1), with_greedy=True)
        return ([(tuple(p.id for p in g.members), g.score, g.breakdown) for g in result.groups], result.total,
                result.greedy_total, result.allowed_pairs)

    tabled = figures()
    monkeypatch.setattr(matching, "TABLE_LIMIT", 1)  # every column is scored a block at a time instead
    assert figures() == tabled


@pytest.mark.parametrize("size", [3, 4])
def test_300_people_in_triads_or_circles_of_4_within_10_seconds(size: int) -> None:
    import itertools
    import time

    policy = load_program(Layout(ROOT)).matching.model_copy(update={"group_size": size})
    people = read_roster(roster_csv(300).encode(), "roster.csv", policy, needs_timezone=True)
    started = time.perf_counter()
    result = match(people, policy, when=dt.date(2026, 9, 1), with_greedy=True)
    assert time.perf_counter() - started < 10
    assert sorted(m.id for g in result.groups for m in g.members) == sorted(p.id for p in people)
    assert {len(g.members) for g in result.groups} == {size}
    for group in result.groups:  # the example's constraints, on every pair of a group
        for a, b in itertools.combinations(group.members, 2):
            assert a.manager != b.manager and a.department != b.department
    # Greedy places everyone in triads here; in circles of 4 it strands people the search still places.
    assert (result.greedy_total is None) == (size == 4)
    assert result.greedy_total is None or result.total > result.greedy_total
