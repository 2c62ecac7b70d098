"""`handbook changes`: what changed since an older program.yaml (a file or a git revision), section by section,
and whether the agreement's text did, in the program's language."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from handbook.commands.changes import compare
from handbook.plan.changes import program_changes
from tests.conftest import SMALL, run_cli

NEW_GOAL = """goals:
  - id: network
    title: Build a network
    description: Meet peers across the company.
    benefits: [learning]
    measures:
      - description: People met
        target: "5"
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(SMALL, root, ignore=shutil.ignore_patterns("build", ".handbook"))
    return root


def edit(root: Path, *pairs: tuple[str, str]) -> None:
    program = root / "program.yaml"
    text = program.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    program.write_text(text, encoding="utf-8")


EDITS = (("every_weeks: 2", "every_weeks: 3"), ("title: Enhance leadership skills", "title: Grow as leaders"),
         ("goals:\n", NEW_GOAL))


def test_changes_against_an_older_file_name_each_section_and_the_agreement(project: Path) -> None:
    shutil.copy(project / "program.yaml", project / "old.yaml")
    edit(project, *EDITS)
    result = run_cli("changes", "old.yaml", "--project", project)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("What changed from ") and "old.yaml (version 1.0) to program.yaml" in lines[0]
    assert "Goals: 2 changes" in lines
    assert "  ~ goals[skills].title: “Enhance leadership skills” → “Grow as leaders”" in lines
    assert "  + added goals[network]: “Build a network”" in lines
    assert "Guidelines: 1 change" in lines and "  ~ guidelines.meetings.every_weeks: 2 → 3" in lines
    assert not any(line.startswith(("Confidentiality", "Training")) for line in lines)  # unchanged sections
    assert lines[-1].startswith("The agreement's text changed (fingerprint ")  # "we meet every 3 weeks"


def test_a_goal_moved_in_the_list_is_no_change_and_a_retitle_keeps_the_agreement(project: Path) -> None:
    shutil.copy(project / "program.yaml", project / "old.yaml")
    edit(project, ("title: Enhance leadership skills", "title: Grow as leaders"))
    compared = compare(project, "old.yaml")
    assert [(c.section, c.kind, c.path) for c in compared.changes] == [("goals", "changed", "goals[skills].title")]
    assert compared.old_fingerprint == compared.new_fingerprint  # goals are on the worksheet, not signed
    result = run_cli("changes", "old.yaml", "--project", project)
    assert "The agreement's text is unchanged" in result.stdout


def test_items_with_ids_are_compared_by_id_whatever_their_order(project: Path) -> None:
    from handbook.commands.stage import load

    before = load(project).program
    after = before.model_copy(update={"goals": tuple(reversed((*before.goals, before.goals[0].model_copy(
        update={"id": "second"}))))})
    found = program_changes(before, after)
    assert [(c.kind, c.path) for c in found] == [("added", "goals[second]")]


def test_changes_since_the_last_commit_in_git_and_in_the_programs_language(project: Path) -> None:
    git = ["git", "-C", str(project), "-c", "user.email=coordinator@example.org", "-c", "user.name=Coordinator"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first version"], check=True)
    edit(project, ("  language: en", "  language: de"), ("every_weeks: 2", "every_weeks: 3"))
    result = run_cli("changes", "--project", project)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Was sich von program.yaml at HEAD (Version 1.0) zu program.yaml")
    assert "Programm: 1 Änderung" in result.stdout and "  ~ program.language: „en“ → „de“" in result.stdout
    assert "Der Text der Vereinbarung hat sich geändert" in result.stdout
    missing = run_cli("changes", "v9", "--project", project)
    assert missing.exit_code == 2 and "git has no program.yaml at 'v9'" in missing.stderr


def test_an_old_version_that_is_not_a_program_is_named(project: Path) -> None:
    (project / "old.yaml").write_text("program: {name: x}\n", encoding="utf-8")
    result = run_cli("changes", "old.yaml", "--project", project)
    assert result.exit_code == 2
    assert result.stderr.startswith("old.yaml:1:") and "Traceback" not in result.output


COHORT = """\
participants:
  - {id: ana, name: Ana Lima, email: ana@example.org}
  - {id: ben, name: Ben Ode, email: ben@example.org}
  - {id: cleo, name: Cleo Hart, email: cleo@example.org}
  - {id: dan, name: Dan Roy, email: dan@example.org}
  - {id: eve, name: Eve Stone, email: eve@example.org}
  - {id: finn, name: Finn Berg, email: finn@example.org}
groups:
  - {id: pair-01, members: [ana, ben], start: 2026-02-02, signed: 0000-0000-0000}
  - {id: pair-02, members: [cleo, dan], start: 2026-02-02, signed: "1.0"}
  - {id: pair-03, members: [eve, finn], start: 2026-02-02, signed: CURRENT}
"""


def test_build_lists_the_groups_whose_signed_text_is_not_the_current_one(project: Path) -> None:
    from handbook.layout import Layout
    from handbook.load.project import load_program
    from handbook.render.printing import agreement_fingerprint

    current = agreement_fingerprint(load_program(Layout(project)))
    (project / "program.yaml").write_text((project / "program.yaml").read_text(encoding="utf-8")
                                          + "\ncohort: cohort.yaml\n", encoding="utf-8")
    (project / "cohort.yaml").write_text(COHORT.replace("CURRENT", current), encoding="utf-8")
    result = run_cli("build", "--project", project)
    assert result.exit_code == 0, result.output
    # pair-01 signed another text; pair-02 signed version 1.0, the current one; pair-03 the current text
    assert "1 group must sign again, its agreement's text changed: pair-01 (build/private/re-sign.csv)" \
        in result.stderr + result.stdout
    rows = (project / "build" / "private" / "re-sign.csv").read_text(encoding="utf-8").splitlines()
    assert rows == ["group,language,members,emails,signed,current",
                    f"pair-01,en,Ana Lima; Ben Ode,ana@example.org; ben@example.org,0000-0000-0000,{current}"]
    assert oct((project / "build" / "private" / "re-sign.csv").stat().st_mode & 0o777) == "0o600"
    for page in (project / "build" / "site").rglob("*"):
        if page.is_file():
            assert b"Ana Lima" not in page.read_bytes() and b"re-sign" not in page.read_bytes(), page
