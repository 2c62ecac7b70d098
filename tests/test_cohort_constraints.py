"""`handbook check` and `build` refuse a hand-written group that breaks the matching's hard constraints.

The same rules as `handbook match` (a shared manager or reporting line, the same department, a
time-zone gap on the group's start date), each broken pair named at its line in the cohort file.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT, copy_example, run_cli, small_with_cohort

from handbook.commands.stage import load
from handbook.errors import InputError
from handbook.layout import Layout
from handbook.load.cohort import Cohort
from handbook.load.project import load_program
from handbook.load.roster import Person
from handbook.load.yamlsource import load_yaml
from handbook.model import Constraints
from handbook.plan.constraints import constraint_problems
from handbook.plan.matching import Rules

CONSTRAINTS = "  constraints:\n    different_department: true\n    max_timezone_gap_hours: 4\n"

PEOPLE = """\
name: Test cycle
participants:
  - id: ana
    name: Ana Lima
    email: ana@example.org
    department: Warehouse Operations
    manager: Jonas Weber
    timezone: Europe/London
  - id: ben
    name: Ben Okafor
    email: ben@example.org
    department: Finance
    manager: Anna Nowak
    timezone: Europe/London
  - id: cai
    name: Cai Wen
    email: cai@example.org
    department: IT
    manager: jonas weber
    timezone: Europe/Berlin
  - id: dev
    name: Dev Patel
    email: dev@example.org
    department: warehouse operations
    manager: Oliver Grant
    timezone: America/New_York
  - id: eva
    name: Eva Berg
    email: eva@example.org
  - id: fin
    name: Fin Doyle
    email: fin@example.org
groups:
"""


def project_with(tmp_path: Path, groups: str, *, constraints: str = CONSTRAINTS) -> Path:
    """The small golden project with the people above in `groups` and the matching rules `constraints`."""
    root = small_with_cohort(tmp_path / "project", PEOPLE + groups)
    program = root / "program.yaml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text.replace("      description: Shared goals\n",
                                    "      description: Shared goals\n" + constraints, 1), encoding="utf-8")
    return root


def group(gid: str, members: str, start: str = "2026-02-02") -> str:
    return f"  - id: {gid}\n    members: [{members}]\n    start: {start}\n"


def check(root: Path) -> tuple[int, str]:
    result = run_cli("check", "--project", root)
    return result.exit_code, result.stdout + result.stderr


def test_a_triad_whose_members_share_a_manager_is_refused_at_the_member(tmp_path: Path) -> None:
    root = project_with(tmp_path, group("triad-1", "ana, ben, cai") + group("pair-1", "eva, fin"))
    code, out = check(root)
    assert code == 2, out
    # The manager is compared as the matcher compares it: "jonas weber" is Jonas Weber.
    assert ("cohort.yaml:35:25: groups[0].members[2]: ana and cai share the manager Jonas Weber\n"
            "        members: [ana, ben, cai]\n") in out
    assert "hint: swap one of them with a member of another group, or let `handbook match` form the groups" in out
    assert "1 problem in cohort.yaml; nothing was written." in out


def test_build_refuses_it_too_and_keeps_the_last_build(tmp_path: Path) -> None:
    root = project_with(tmp_path, group("triad-1", "ana, ben, cai") + group("pair-1", "eva, fin"))
    (root / "build").mkdir()
    (root / "build" / "kept.txt").write_text("the last build\n", encoding="utf-8")
    result = run_cli("build", "--project", root)
    assert result.exit_code == 2
    assert "groups[0].members[2]: ana and cai share the manager Jonas Weber" in result.stdout + result.stderr
    assert (root / "build" / "kept.txt").read_text(encoding="utf-8") == "the last build\n"


def test_members_of_one_department_are_refused_when_the_program_wants_different_ones(tmp_path: Path) -> None:
    groups = group("pair-1", "ana, dev", start="2026-03-16") + group("pair-2", "ben, cai") + group("pair-3", "eva, fin")
    code, out = check(project_with(tmp_path, groups))
    assert code == 2, out
    assert "cohort.yaml:35:20: groups[0].members[1]: ana and dev are both in Warehouse Operations\n" in out
    # Without the rule the same pair is fine.
    code, out = check(project_with(tmp_path / "again", groups, constraints=""))
    assert code == 0, out


def test_a_time_zone_gap_is_measured_on_the_group_s_start_date(tmp_path: Path) -> None:
    # London and New York are 5 hours apart, but 4 in the weeks between the two countries' clock changes.
    winter = group("pair-1", "ben, dev", start="2026-02-02") + group("pair-2", "ana, eva") + group("pair-3", "cai, fin")
    code, out = check(project_with(tmp_path, winter, constraints="  constraints:\n    max_timezone_gap_hours: 4\n"))
    assert code == 2, out
    assert ("cohort.yaml:35:20: groups[0].members[1]: ben and dev are 5 hours apart (Europe/London, America/New_York) "
            "on 2026-02-02, more than `matching.constraints.max_timezone_gap_hours`: 4\n") in out
    assert "1 problem in cohort.yaml" in out
    spring = winter.replace("2026-02-02", "2026-03-16")
    code, out = check(project_with(tmp_path / "spring", spring,
                                   constraints="  constraints:\n    max_timezone_gap_hours: 4\n"))
    assert code == 0, out


def test_every_rule_a_pair_breaks_is_named_in_one_problem(tmp_path: Path) -> None:
    text = PEOPLE.replace("manager: Oliver Grant", "manager: Jonas Weber")
    root = small_with_cohort(tmp_path / "project", text + group("pair-1", "ana, dev") + group("pair-2", "ben, cai")
                             + group("pair-3", "eva, fin"))
    program = root / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace(
        "      description: Shared goals\n", "      description: Shared goals\n" + CONSTRAINTS), encoding="utf-8")
    code, out = check(root)
    assert code == 2, out
    assert ("groups[0].members[1]: ana and dev share the manager Jonas Weber, are both in Warehouse Operations "
            "and are 5 hours apart (Europe/London, America/New_York) on 2026-02-02") in out
    assert "1 problem in cohort.yaml" in out


def test_someone_grouped_with_their_own_manager_is_refused(tmp_path: Path) -> None:
    text = PEOPLE.replace("manager: Anna Nowak", "manager: ANA@example.org")
    root = small_with_cohort(tmp_path / "project", text + group("pair-1", "ana, ben") + group("pair-2", "cai, dev")
                             + group("pair-3", "eva, fin"))
    code, out = check(root)
    assert code == 2, out
    assert ("groups[0].members[1]: ana and ben are in one reporting line: ben's manager is ANA@example.org"
            in out)


def test_what_is_not_written_breaks_no_rule(tmp_path: Path) -> None:
    # eva and fin have no department, manager or time zone: nothing to compare, with each other or anyone.
    groups = group("pair-1", "ben, cai") + group("triad-1", "ana, eva, fin")
    code, out = check(project_with(tmp_path, groups))
    assert code == 0, out


def test_a_time_zone_the_rule_cannot_read_is_named_at_the_person(tmp_path: Path) -> None:
    root = project_with(tmp_path, group("pair-1", "ana, ben") + group("pair-2", "cai, fin"))
    cohort = root / "cohort.yaml"
    cohort.write_text(cohort.read_text(encoding="utf-8").replace("timezone: Europe/Berlin", "timezone: Europe/Berln"),
                      encoding="utf-8")
    code, out = check(root)
    assert code == 2, out
    assert ("cohort.yaml:20:15: participants[2].timezone: unknown time zone 'Europe/Berln' for 'cai' "
            "(did you mean 'Europe/Berlin'?)") in out


def test_broken_groups_are_reported_with_every_other_problem(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    code, out = check(project_with(tmp_path, group("triad-1", "ben, cai, fin") + group("pair-1", "ana, dev", "2026-03-16")))
    assert code == 2, out
    assert "groups[1].members[1]: ana and dev are both in Warehouse Operations" in out
    assert "SOURCE_DATE_EPOCH: expected whole seconds since 1970, got 'soon'" in out


def test_the_rules_wait_until_the_cohort_file_is_otherwise_valid(tmp_path: Path) -> None:
    code, out = check(project_with(tmp_path, group("triad-1", "ana, ben, cai") + group("pair-1", "dev, bob")))
    assert code == 2, out
    assert "groups[1].members[1]: unknown participant 'bob'" in out
    assert "share the manager" not in out


def test_the_example_cohort_keeps_its_own_rules(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    loaded = load(root)
    assert loaded.cohort is not None and loaded.program.matching.constraints.different_department
    # ... and a pair of the example moved into one group is refused: the rules are really applied.
    cohort = root / "cohort.yaml"
    text = cohort.read_text(encoding="utf-8")
    cohort.write_text(text.replace("members: [amara-osei, daniel-kowalski]", "members: [amara-osei, jan-de-vries]")
                      .replace("members: [jan-de-vries, ines-garcia]", "members: [daniel-kowalski, ines-garcia]"),
                      encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(root)
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "amara-osei and jan-de-vries share the manager Jonas Weber and are both in Warehouse Operations",
        "daniel-kowalski and ines-garcia share the manager Anna Nowak and are both in Finance",
    ]


ZONES = ["Europe/Berlin", "Europe/London", "UTC", "+05:30", "America/Chicago", "Asia/Tokyo"]


def test_check_refuses_exactly_the_pairs_the_matcher_never_forms() -> None:
    """Pair by pair over a roster with every kind of sameness, check and the matcher agree."""
    rng = np.random.default_rng(12)
    people = []
    for i in range(14):
        manager = ["Jonas Weber", " jonas WEBER ", "", "p00", "P01@example.org", "Person 2", "Anna Nowak"][i % 7]
        department = ["Finance", "finance ", "", "IT"][int(rng.integers(4))]
        people.append(Person(f"p{i:02d}", f"Person {i}", f"p{i:02d}@example.org", department, manager,
                             ZONES[int(rng.integers(len(ZONES)))]))
    when = dt.date(2026, 10, 1)
    rules = Constraints(different_manager=True, different_department=True, max_timezone_gap_hours=4)
    everyone = np.arange(len(people))
    program = load_program(Layout(ROOT))
    program = program.model_copy(update={"matching": program.matching.model_copy(update={"constraints": rules})})
    forbidden = np.zeros((len(people), len(people)), dtype=bool)
    for _name, mask in Rules(people, program.matching, when).masks(everyone):
        forbidden |= mask
    pairs = list(itertools.combinations(range(len(people)), 2))
    data = {"participants": [{"id": p.id, "name": p.name, "email": p.email, "timezone": p.timezone,
                              **({"department": p.department} if p.department else {}),
                              **({"manager": p.manager} if p.manager else {})} for p in people],
            "groups": [{"id": f"g{k}", "members": [people[a].id, people[b].id], "start": when}
                       for k, (a, b) in enumerate(pairs)]}
    source = load_yaml(yaml.safe_dump(data, sort_keys=False), "cohort.yaml")
    refused = {int(p.path.split("[")[1].split("]")[0]) for p in constraint_problems(
        Cohort.model_validate(source.data), program, source)}
    assert refused == {k for k, (a, b) in enumerate(pairs) if forbidden[a, b]}
    assert 0 < len(refused) < len(pairs)
