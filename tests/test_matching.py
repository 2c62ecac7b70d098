"""Matching: optimal on small rosters, never worse than greedy, constraints kept, nobody dropped."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, build_file_tree, example_program, run_cli

from benchmarks.roster_gen import roster_csv
from handbook.errors import InputError
from handbook.layout import Layout
from handbook.load.project import load_program
from handbook.load.roster import read_roster
from handbook.model import Constraints, Matching
from handbook.plan.matching import Rules, Scorer, greedy, match

WHEN = dt.date(2026, 9, 1)
EXAMPLE = load_program(Layout(ROOT))


def policy(**constraints: object) -> Matching:
    return EXAMPLE.matching.model_copy(update={"constraints": Constraints(**constraints)})


def people_of(n: int, seed: int, rules: Matching):
    return read_roster(roster_csv(n, seed).encode(), "roster.csv", rules, needs_timezone=True)


def dense(people, rules: Matching) -> tuple[np.ndarray, np.ndarray]:
    """Return every pair's score and whether a constraint forbids it, as matrices (people sorted by id)."""
    people = sorted(people, key=lambda p: p.id)
    everyone = np.arange(len(people))
    forbidden = np.zeros((len(people), len(people)), dtype=bool)
    for _name, mask in Rules(people, rules, WHEN).masks(everyone):
        forbidden |= mask
    return Scorer(people, rules).block(everyone), forbidden


def best_pair_first(people, rules: Matching) -> float | None:
    """Return greedy's total computed the plain way: every allowed pair sorted, best first, ties by ids."""
    score, forbidden = dense(people, rules)
    n = len(score)
    edges = sorted((-score[a, b], a, b) for a in range(n) for b in range(a + 1, n) if not forbidden[a, b])
    free, pairs = set(range(n)), []
    for _value, a, b in edges:
        if a in free and b in free:
            pairs.append((a, b))
            free -= {a, b}
    total = sum(score[a, b] for a, b in pairs)
    if len(free) == 1 and n % 2 == 1:
        u = free.pop()
        gains = [((score[a, b] + score[a, u] + score[b, u]) / 3 - score[a, b], -k) for k, (a, b) in enumerate(pairs)
                 if not forbidden[a, u] and not forbidden[b, u]]
        if not gains:
            return None
        gain, _k = max(gains)
        total += gain
    return None if free else float(total)


def brute_force(people, rules: Matching) -> float | None:
    """Return the best total over every grouping into pairs (and one triad), or None if none is allowed."""
    score, forbidden = dense(people, rules)

    def ok(group) -> bool:
        return all(not forbidden[a, b] for a, b in itertools.combinations(group, 2))

    def value(group) -> float:
        pairs = list(itertools.combinations(group, 2))
        return sum(score[a, b] for a, b in pairs) / len(pairs)

    def best(rest: tuple[int, ...], triad_left: bool) -> float | None:
        if not rest:
            return 0.0 if not triad_left else None
        first, others = rest[0], rest[1:]
        results = []
        sizes = [1, 2] if triad_left else [1]
        for size in sizes:
            for partners in itertools.combinations(others, size):
                group = (first, *partners)
                if not ok(group):
                    continue
                remaining = tuple(x for x in others if x not in partners)
                sub = best(remaining, triad_left and size == 1)
                if sub is not None:
                    results.append(value(group) + sub)
        return max(results) if results else None

    return best(tuple(range(len(people))), len(people) % 2 == 1)


CASES = [(n, seed) for n in (4, 5, 6, 7, 8, 9, 10) for seed in (1, 2, 3)]


@pytest.mark.parametrize("n,seed", CASES)
def test_matches_the_brute_force_optimum_on_small_rosters(n: int, seed: int) -> None:
    rules = policy(different_manager=True, different_department=False, max_timezone_gap_hours=None)
    people = people_of(n, seed, rules)
    optimum = brute_force(people, rules)
    if optimum is None:
        with pytest.raises(InputError):
            match(people, rules, when=WHEN)
        return
    result = match(people, rules, when=WHEN)
    assert result.total == pytest.approx(optimum, abs=1e-3)


@pytest.mark.parametrize("n,seed", [(n, s) for n in (12, 31, 60, 101, 150, 301) for s in (1, 2)])
def test_never_worse_than_greedy(n: int, seed: int) -> None:
    rules = EXAMPLE.matching
    people = people_of(n, seed, rules)
    result = match(people, rules, when=WHEN, with_greedy=True)
    baseline = greedy(people, rules, when=WHEN)
    # Greedy holds only each person's best partners, refreshed when they are taken: the same as sorting every pair.
    assert baseline == result.greedy_total == pytest.approx(best_pair_first(people, rules), abs=1e-9)
    if baseline is not None:
        assert result.total >= baseline - 1e-6


def test_everyone_in_exactly_one_group_one_triad_and_no_shared_manager() -> None:
    rules = EXAMPLE.matching
    assert rules.constraints.different_department
    people = people_of(101, 5, rules)
    result = match(people, rules, when=WHEN)
    ids = [m.id for g in result.groups for m in g.members]
    assert sorted(ids) == sorted(p.id for p in people)
    assert [len(g.members) for g in result.groups].count(3) == 1
    for group in result.groups:
        for a, b in itertools.combinations(group.members, 2):
            assert a.manager != b.manager
            assert a.department != b.department


def test_previous_partners_are_not_matched_again() -> None:
    rules = policy(different_department=False)
    people = people_of(20, 3, rules)
    first = match(people, rules, when=WHEN)
    previous = [frozenset(m.id for m in g.members) for g in first.groups]
    second = match(people, rules, when=WHEN, previous=previous)
    for group in second.groups:
        for pair in itertools.combinations(sorted(m.id for m in group.members), 2):
            assert not any(set(pair) <= old for old in previous)


def test_a_person_without_allowed_partner_is_named_with_the_constraints_that_block_them() -> None:
    rules = policy(different_department=True)
    csv = ("id,name,email,department,manager,timezone,goals,challenges,leadership_experience,expertise,work_style,"
           "communication_style\n"
           "ana,Ana A,ana@example.org,Sales,m1,Europe/Berlin,x,y,1,z,a,b\n"
           "ben,Ben B,ben@example.org,Sales,m2,Europe/Berlin,x,y,1,z,a,b\n"
           "cy,Cy C,cy@example.org,IT,m1,Europe/Berlin,x,y,1,z,a,b\n"
           "dee,Dee D,dee@example.org,Sales,m3,Europe/Berlin,x,y,1,z,a,b\n")
    people = read_roster(csv.encode(), "roster.csv", rules, needs_timezone=True)
    with pytest.raises(InputError) as caught:
        match(people, rules, when=WHEN)
    text = caught.value.format()
    assert "ana (Ana A) has no allowed partner among 3 other people" in text
    assert "same manager or reporting line rules out 1" in text and "same department rules out 2" in text


def test_time_zone_gap_is_kept() -> None:
    rules = policy(different_department=False, max_timezone_gap_hours=3)
    people = people_of(40, 9, rules)
    from handbook.plan.rules import utc_offset
    for group in match(people, rules, when=WHEN).groups:
        offsets = [utc_offset(m.timezone, WHEN) for m in group.members]
        assert max(offsets) - min(offsets) <= 3


def test_match_command_writes_cohort_and_private_report_deterministically(tmp_path: Path) -> None:
    project = tmp_path / "p"
    build_file_tree(project, {**example_program(),
                              "roster.csv": roster_csv(101, 4)})
    result = run_cli("match", project / "roster.csv", "--out", "cohort.yaml", "--start", "2026-09-14",
                     "--project", project)
    assert result.exit_code == 0, result.stderr
    first = (project / "cohort.yaml").read_bytes()
    report = (project / "build" / "private" / "match-report.html").read_text(encoding="utf-8")
    assert "For the coordinator only" in report and "triad-01" in report and "Mean score" in report
    assert run_cli("match", project / "roster.csv", "--out", "cohort.yaml", "--start", "2026-09-14",
                   "--project", project).exit_code == 0
    assert (project / "cohort.yaml").read_bytes() == first
    check = run_cli("check", "--project", project)
    assert check.exit_code == 0, check.stderr
    assert b"start: 2026-09-14" in first and first.count(b"- id: pair-") == 49


BAD_ROSTERS = [
    ("missing-column", "id,name,email,department\na,A,a@example.org,X\n", "roster.csv:1:1: missing column 'manager'"),
    ("duplicate-id", roster_csv(4, 1).replace("p0001,", "p0000,", 1), "roster.csv:3:1: duplicate id 'p0000' (first on line 2)"),
    ("unknown-criterion-column", roster_csv(4, 1).replace("work_style", "workstyle", 1),
     "roster.csv:1:1: matching criterion 'work_style' names a column the roster lacks (did you mean 'workstyle'?)"),
    ("empty", "", "roster.csv:1:1: the roster is empty"),
    ("one-participant", "\n".join(roster_csv(1, 1).splitlines()[:2]) + "\n",
     "roster.csv:2:1: the roster lists 1 participant; matching needs at least 2"),
    ("semicolons", roster_csv(4, 1).replace(",", ";"), "roster.csv:1:1: the columns are separated by semicolons, expected commas"),
    ("ragged-row", roster_csv(4, 1) + "p9,Late,late@example.org\n", "roster.csv:6:1: expected 12 cells, found 3"),
    ("bad-timezone", roster_csv(4, 1).replace("Europe/Berlin", "Mars/Olympus", 1), "unknown time zone 'Mars/Olympus'"),
    ("not-utf8", roster_csv(4, 1).encode().replace(b"Person 2", b"Person \xe9"), "roster.csv:4:14: byte 0xe9 is not valid UTF-8"),
]


@pytest.mark.parametrize("name,content,expected", BAD_ROSTERS, ids=[b[0] for b in BAD_ROSTERS])
def test_bad_rosters_get_located_messages_and_exit_2(tmp_path: Path, name: str, content: str | bytes,
                                                     expected: str) -> None:
    project = build_file_tree(tmp_path / "p", {**example_program(),
                                               "roster.csv": content})
    result = run_cli("match", project / "roster.csv", "--project", project)
    assert result.exit_code == 2, result.stdout
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "cohort.yaml").exists()


def test_roster_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    project = build_file_tree(tmp_path / "p", {**example_program(),
                                               "roster.csv": b"\xef\xbb\xbf" + roster_csv(30, 2).encode()})
    assert run_cli("match", project / "roster.csv", "--project", project).exit_code == 0


def test_the_example_roster_matches_everyone_into_pairs_and_one_triad(tmp_path: Path) -> None:
    project = build_file_tree(tmp_path / "p", {**example_program(),
                                               "roster.csv": (ROOT / "roster.csv").read_text(encoding="utf-8"),
                                               "cohort.yaml": (ROOT / "cohort.yaml").read_text(encoding="utf-8")})
    result = run_cli("match", "roster.csv", "--out", "matched.yaml", "--project", project)
    assert result.exit_code == 0, result.stderr
    import yaml

    cohort = yaml.safe_load((project / "matched.yaml").read_text(encoding="utf-8"))
    members = [m for g in cohort["groups"] for m in g["members"]]
    roster_ids = [line.split(",")[0] for line in (ROOT / "roster.csv").read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(members) == sorted(roster_ids)
    assert [len(g["members"]) for g in cohort["groups"]].count(3) == len(roster_ids) % 2
    managers = {p["id"]: p.get("manager") for p in cohort["participants"]}
    for group in cohort["groups"]:
        assert len({managers[m] for m in group["members"]}) == len(group["members"])


# --- groups of 3 to 6 ---------------------------------------------------------------------


def group_policy(size: int, **constraints: object) -> Matching:
    rules = policy(**constraints) if constraints else EXAMPLE.matching
    return rules.model_copy(update={"group_size": size})


def exhaustive(people, rules: Matching) -> float | None:
    """Return the best total (every within-group pair's score, summed) over every split into the
    remainder rule's sizes, enumerated one split at a time; None if no split keeps the constraints."""
    score, forbidden = dense(people, rules)
    size, n = rules.group_size, len(people)
    larger = n % size

    def splits(rest: tuple[int, ...], larger_left: int):
        if not rest:
            if larger_left == 0:
                yield []
            return
        first, others = rest[0], rest[1:]
        for extra in (0, 1):
            if extra and not larger_left:
                continue
            for partners in itertools.combinations(others, size - 1 + extra):
                remaining = tuple(x for x in others if x not in partners)
                for tail in splits(remaining, larger_left - extra):
                    yield [(first, *partners), *tail]

    best = None
    for split in splits(tuple(range(n)), larger):
        pairs = [pair for group in split for pair in itertools.combinations(group, 2)]
        if any(forbidden[a, b] for a, b in pairs):
            continue
        total = sum(score[a, b] for a, b in pairs)
        best = total if best is None else max(best, total)
    return None if best is None else float(best)


# (group size, people, roster seed, whether two people of one manager may share a group). The generator
# gives small rosters five managers: circles of 8 or 9 people have no split that keeps managers apart.
GROUP_CASES = [(3, 6, 1, False), (3, 6, 4, False), (3, 7, 9, False), (3, 7, 11, False), (3, 9, 1, False),
               (3, 9, 2, False), (3, 10, 2, False), (3, 10, 5, False), (3, 12, 1, False), (3, 12, 2, False),
               (3, 9, 3, False), (4, 8, 1, True), (4, 8, 2, True), (4, 9, 1, True), (4, 9, 2, True),
               (4, 12, 5, False), (4, 12, 8, False), (4, 12, 1, False), (5, 11, 1, True), (6, 12, 3, True)]


@pytest.mark.parametrize("size,n,seed,same_manager", GROUP_CASES)
def test_triads_and_circles_equal_exhaustive_search_on_small_rosters(size: int, n: int, seed: int,
                                                                     same_manager: bool) -> None:
    rules = group_policy(size, different_manager=not same_manager, different_department=False,
                         max_timezone_gap_hours=None)
    people = people_of(n, seed, rules)
    optimum = exhaustive(people, rules)
    if optimum is None:  # (3, 9, 3) and (4, 12, 1): four people of one manager, three groups
        with pytest.raises(InputError) as caught:
            match(people, rules, when=WHEN)
        assert "keeps every constraint" in caught.value.format()
        return
    result = match(people, rules, when=WHEN)
    assert result.total == pytest.approx(optimum, abs=1e-6)


# Rosters on which greedy places everyone (on others it strands people the search still places).
@pytest.mark.parametrize("size,n,seed", [(3, 31, 2), (3, 100, 1), (4, 49, 1), (4, 150, 1), (5, 61, 1)])
def test_groups_never_score_below_greedy(size: int, n: int, seed: int) -> None:
    rules = group_policy(size, different_manager=True, different_department=False, max_timezone_gap_hours=None)
    people = people_of(n, seed, rules)
    result = match(people, rules, when=WHEN, with_greedy=True)
    baseline = greedy(people, rules, when=WHEN)
    assert baseline is not None and result.greedy_total == pytest.approx(baseline)
    assert result.total >= baseline - 1e-6
    # The total is every within-group pair's score, summed; each group's score is the mean of its pairs'.
    score, _forbidden = dense(people, rules)
    index = {p.id: i for i, p in enumerate(sorted(people, key=lambda p: p.id))}
    pairs = [(index[a.id], index[b.id]) for g in result.groups for a, b in itertools.combinations(g.members, 2)]
    assert result.total == pytest.approx(sum(score[a, b] for a, b in pairs))


@pytest.mark.parametrize("size,n,seed", [(3, 60, 9), (4, 48, 8), (5, 60, 10), (6, 66, 12)])
def test_every_pair_in_a_group_keeps_every_hard_constraint(size: int, n: int, seed: int) -> None:
    from handbook.plan.rules import utc_offset

    rules = group_policy(size, different_manager=True, different_department=True, max_timezone_gap_hours=3,
                         no_repeat_partners=True)
    people = people_of(n, seed, rules)
    first = match(people, rules, when=WHEN)
    previous = [frozenset(m.id for m in g.members) for g in first.groups]
    second = match(people, rules, when=WHEN, previous=previous)
    for result in (first, second):
        assert sorted(m.id for g in result.groups for m in g.members) == sorted(p.id for p in people)
        for group in result.groups:
            for a, b in itertools.combinations(group.members, 2):
                assert a.manager != b.manager and a.department != b.department
                assert abs(utc_offset(a.timezone, WHEN) - utc_offset(b.timezone, WHEN)) <= 3
    for group in second.groups:
        for pair in itertools.combinations(sorted(m.id for m in group.members), 2):
            assert not any(set(pair) <= old for old in previous)


@pytest.mark.parametrize("size,n,expected", [(3, 9, [3, 3, 3]), (3, 10, [3, 3, 4]), (3, 11, [3, 4, 4]),
                                             (4, 14, [4, 5, 5]), (6, 13, [6, 7]), (5, 5, [5]), (3, 301, None)])
def test_a_roster_that_does_not_divide_gets_some_groups_one_larger(size: int, n: int, expected) -> None:
    rules = group_policy(size, different_manager=False, different_department=False, max_timezone_gap_hours=None,
                         no_repeat_partners=False)
    result = match(people_of(n, 3, rules), rules, when=WHEN)
    sizes = sorted(len(g.members) for g in result.groups)
    assert sizes == (expected or [3] * 99 + [4])


@pytest.mark.parametrize("size,n,expected", [
    (3, 2, "roster.csv:3:1: the roster lists 2 people, fewer than `matching.group_size` (3)"),
    (3, 5, "roster.csv:6:1: the roster lists 5 people: 1 group of 3 cannot take the 2 left over"),
    (6, 11, "roster.csv:12:1: the roster lists 11 people: 1 group of 6 cannot take the 5 left over"),
])
def test_a_roster_too_small_for_the_group_size_gets_a_located_message(tmp_path: Path, size: int, n: int,
                                                                      expected: str) -> None:
    program = (ROOT / "program.yaml").read_text(encoding="utf-8").replace("group_size: 2", f"group_size: {size}")
    project = build_file_tree(tmp_path / "p", {**example_program(program), "roster.csv": roster_csv(n, 1)})
    result = run_cli("match", project / "roster.csv", "--project", project)
    assert result.exit_code == 2, result.stdout
    assert expected in result.stderr and "hint: add or remove people, or choose another `matching.group_size`" \
        in result.stderr and "Traceback" not in result.stderr
    assert not (project / "cohort.yaml").exists()


def test_a_group_size_outside_2_to_6_is_refused_in_program_yaml(tmp_path: Path) -> None:
    text = (ROOT / "program.yaml").read_text(encoding="utf-8")
    line = text[:text.index("group_size: 2")].count("\n") + 1
    project = build_file_tree(tmp_path / "p", example_program(text.replace("group_size: 2", "group_size: 7")))
    result = run_cli("check", "--project", project)
    assert result.exit_code == 2
    assert f"program.yaml:{line}:" in result.stderr and "group_size" in result.stderr


@pytest.mark.parametrize("size,n,kinds", [(3, 40, {"triad": 12, "circle": 1}), (4, 30, {"circle": 7})])
def test_match_command_writes_groups_of_the_right_sizes_to_cohort_and_report(tmp_path: Path, size: int, n: int,
                                                                              kinds: dict[str, int]) -> None:
    import yaml

    program = (ROOT / "program.yaml").read_text(encoding="utf-8").replace("group_size: 2", f"group_size: {size}")
    project = build_file_tree(tmp_path / "p", {**example_program(program), "roster.csv": roster_csv(n, 4)})
    result = run_cli("match", project / "roster.csv", "--out", "cohort.yaml", "--start", "2026-09-14",
                     "--project", project)
    assert result.exit_code == 0, result.stderr
    cohort = yaml.safe_load((project / "cohort.yaml").read_text(encoding="utf-8"))
    sizes = sorted(len(g["members"]) for g in cohort["groups"])
    assert sizes == sorted(len(sizes) * [size] if n % size == 0 else [size] * (n // size - n % size)
                           + [size + 1] * (n % size))
    assert sorted(m for g in cohort["groups"] for m in g["members"]) == sorted(p["id"] for p in cohort["participants"])
    for kind, count in kinds.items():
        assert sum(g["id"].startswith(f"{kind}-") for g in cohort["groups"]) == count
    for group in cohort["groups"]:
        assert group["id"].startswith("triad-" if len(group["members"]) == 3 else "circle-")
    report = (project / "build" / "private" / "match-report.html").read_text(encoding="utf-8")
    assert f"{n} in {len(sizes)} groups<" in report and "one triad" not in report
    for group in cohort["groups"]:
        assert f'id="{group["id"]}"' in report
