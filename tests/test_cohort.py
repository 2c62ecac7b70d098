"""The cohort file: loaded with the program, every problem located and reported with the others."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, run_cli, small_with_cohort

from handbook.commands.stage import load
from handbook.errors import InputError

COHORT = """\
name: Test cycle
participants:
  - id: ana
    name: Ana Lima
    email: ana@example.org
    department: Sales
  - id: ben
    name: Ben Okafor
    email: ben@example.org
  - id: cai
    name: Cai Wen
    email: cai@example.org
    role: peer
groups:
  - id: pair-1
    members: [ana, ben]
    start: 2026-02-02
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The small golden project with a small cohort."""
    return small_with_cohort(tmp_path / "project", COHORT)


def problems_of(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load(root)
    return [p.format() for p in caught.value.problems]


def test_the_cohort_is_loaded_with_the_program(project: Path) -> None:
    loaded = load(project)
    assert loaded.cohort is not None
    assert [p.id for p in loaded.cohort.participants] == ["ana", "ben", "cai"]
    group = loaded.cohort.groups[0]
    assert [m.name for m in loaded.cohort.members(group)] == ["Ana Lima", "Ben Okafor"]


def test_no_cohort_line_means_no_cohort(small_project: Path) -> None:
    assert load(small_project).cohort is None


def test_the_example_cohort_has_a_triad_and_matches_the_roster() -> None:
    from handbook.load.cohort import validate_cohort
    from handbook.load.yamlsource import load_yaml

    cohort = validate_cohort(load_yaml((ROOT / "cohort.yaml").read_bytes(), "cohort.yaml"), None)
    assert len(cohort.participants) >= 12
    assert [len(g.members) for g in cohort.groups].count(3) == 1
    roster = (ROOT / "roster.csv").read_text(encoding="utf-8").splitlines()
    assert roster[0].startswith("id,name,email,department,manager,timezone,goals,challenges")
    ids = {line.split(",")[0] for line in roster[1:]}
    assert ids == {p.id for p in cohort.participants}


@pytest.mark.parametrize("change,expected", [
    (("members: [ana, ben]", "members: [ana, bob]"),
     "cohort.yaml:16:20: groups[0].members[1]: unknown participant 'bob'"),
    (("  - id: cai\n", "  - id: ben\n"), "cohort.yaml:10:9: participants[2].id: duplicate participant id 'ben' "
                                          "(first used on line 7)"),
    (("email: cai@example.org", "email: ANA@example.org"),
     "cohort.yaml:12:12: participants[2].email: duplicate email address 'ANA@example.org' (first used on line 5)"),
    (("role: peer", "role: mentor"), "cohort.yaml:13:11: participants[2].role: unknown role 'mentor'"),
    (("start: 2026-02-02", "start: soon"), "cohort.yaml:17:12: groups[0].start: expected a date, got 'soon'"),
    (("members: [ana, ben]", "members: [ana, ana]"),
     "cohort.yaml:16:20: groups[0].members[1]: participant 'ana' is named twice in group 'pair-1'"),
    (("members: [ana, ben]", "members: [ana]"), "cohort.yaml:16:14: groups[0].members: expected at least 2 items"),
    (("  - id: pair-1", "  - id: blank"), "cohort.yaml:15:9: groups[0].id: the group id 'blank' is reserved"),
    (("  - id: pair-1", "  - id: terms"), "cohort.yaml:15:9: groups[0].id: the group id 'terms' is reserved"),
    (("    email: ben@example.org\n", "    email: ben@example.org\n    shoe_size: 44\n"),
     "cohort.yaml:10:5: participants[1].shoe_size: unknown key 'shoe_size'"),
])
def test_a_bad_cohort_is_reported_with_file_line_and_path(project: Path, change: tuple[str, str],
                                                          expected: str) -> None:
    path = project / "cohort.yaml"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    found = problems_of(project)
    assert any(p.startswith(expected) for p in found), found


def test_a_participant_in_two_groups_is_named_with_both(project: Path) -> None:
    path = project / "cohort.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - id: pair-2\n    members: [ben, cai]\n"
                    "    start: 2026-02-09\n", encoding="utf-8")
    found = problems_of(project)
    assert any("participant 'ben' is already in group 'pair-1' (line 16)" in p for p in found), found


def test_a_triad_needs_the_program_to_allow_it(project: Path) -> None:
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace(
        "matching:\n", "matching:\n  allow_triad: false\n"), encoding="utf-8")
    path = project / "cohort.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("members: [ana, ben]", "members: [ana, ben, cai]"),
                    encoding="utf-8")
    found = problems_of(project)
    assert any("group 'pair-1' has three members, but the program allows pairs only" in p for p in found), found


def test_a_missing_cohort_file_is_located_at_the_cohort_line(project: Path) -> None:
    (project / "cohort.yaml").unlink()
    found = problems_of(project)
    line = (project / "program.yaml").read_text(encoding="utf-8").splitlines().index("cohort: cohort.yaml") + 1
    assert found[0].startswith(f"program.yaml:{line}:1: cohort: the cohort file 'cohort.yaml' does not exist")


def test_a_cohort_outside_the_project_is_refused(project: Path, tmp_path: Path) -> None:
    (tmp_path / "people.yaml").write_text(COHORT, encoding="utf-8")
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("cohort: cohort.yaml",
                                                                   "cohort: sub/../../people.yaml"), encoding="utf-8")
    found = problems_of(project)
    assert "is outside the project folder" in found[0]


def test_program_and_cohort_problems_are_reported_together(project: Path) -> None:
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("every_weeks: 2", "every_weeks: two"),
                       encoding="utf-8")
    path = project / "cohort.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("members: [ana, ben]", "members: [ana, bob]"),
                    encoding="utf-8")
    result = run_cli("check", "--project", project)
    assert result.exit_code == 2
    assert "program.yaml:" in result.stderr and "every_weeks" in result.stderr
    assert "cohort.yaml:16:20: groups[0].members[1]: unknown participant 'bob'" in result.stderr
    assert "2 problems in cohort.yaml, program.yaml; nothing was written." in result.stderr


def _circle_cohort(project: Path, members: list[str]) -> None:
    people = "".join(f"  - {{id: p{n}, name: Person {n}, email: p{n}@example.org}}\n" for n in range(1, 8))
    (project / "cohort.yaml").write_text(
        f"name: Circles\nparticipants:\n{people}groups:\n"
        f"  - {{id: circle-1, members: [{', '.join(members)}], start: 2026-02-02}}\n", encoding="utf-8")


def test_a_circle_of_four_is_accepted_when_the_program_meets_in_fours(project: Path) -> None:
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("matching:\n", "matching:\n  group_size: 4\n"),
                       encoding="utf-8")
    _circle_cohort(project, ["p1", "p2", "p3", "p4"])
    assert [len(g.members) for g in load(project).cohort.groups] == [4]
    _circle_cohort(project, ["p1", "p2", "p3", "p4", "p5"])  # one larger where a cohort does not divide
    assert [len(g.members) for g in load(project).cohort.groups] == [5]
    _circle_cohort(project, ["p1", "p2", "p3"])
    found = problems_of(project)
    assert any("cohort.yaml:" in p and "group 'circle-1' has 3 members, but `matching.group_size` is 4" in p
               for p in found), found
