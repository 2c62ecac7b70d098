"""Incremental builds: nothing changed means nothing done; any change to inputs or outputs rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_file_tree, run_cli

from handbook.commands.build import build


@pytest.fixture
def small_project(small_project_warm: Path) -> Path:
    """The small project with a warm PDF cache (tests/conftest.py): these tests are about what is built again."""
    return small_project_warm


def test_a_second_build_with_nothing_changed_does_nothing(small_project: Path) -> None:
    first = build(small_project)
    assert not first.skipped
    second = build(small_project)
    assert second.skipped and second.pages == first.pages
    result = run_cli("build", "--project", small_project)
    assert result.exit_code == 0 and "build/ is up to date" in result.stdout


def test_changed_inputs_or_touched_outputs_rebuild(small_project: Path) -> None:
    build(small_project)
    page = small_project / "content" / "faq.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more answer.\n", encoding="utf-8")
    assert not build(small_project).skipped
    (small_project / "build" / "site" / "faq.html").unlink()
    assert not build(small_project).skipped
    assert (small_project / "build" / "site" / "faq.html").is_file()
    assert not build(small_project, force=True).skipped


def test_a_new_template_override_rebuilds(small_project: Path) -> None:
    build(small_project)
    override = small_project / "templates" / "site" / "roles.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text("# Who is who\n", encoding="utf-8")
    assert not build(small_project).skipped
    assert "Who is who" in (small_project / "build" / "site" / "roles.html").read_text(encoding="utf-8")


COHORT = """\
name: Autumn cycle
participants:
  - {id: ana, name: Ana Lima, email: ana.lima@example.org}
  - {id: ben, name: Ben Okafor, email: ben.okafor@example.org}
groups:
  - {id: pair-1, members: [ana, ben], start: 2026-02-02}
"""


def test_the_cohort_file_program_yaml_names_is_an_input_wherever_it_is(small_project: Path) -> None:
    program = small_project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8") + "\ncohort: 'cycles/autumn #2.yaml'  # this cycle\n",
                       encoding="utf-8")
    cohort = build_file_tree(small_project, {"cycles/autumn #2.yaml": COHORT}) / "cycles" / "autumn #2.yaml"
    assert not build(small_project).skipped
    cohort.write_text(COHORT.replace("Ben Okafor", "Ben Okafor-Lima"), encoding="utf-8")
    assert not build(small_project).skipped
    assert build(small_project).skipped


def test_files_the_build_does_not_read_change_nothing(small_project: Path) -> None:
    build(small_project)
    build_file_tree(small_project, {"notes.yaml": "todo: ask Ana\n", "content/.faq.md.swp": b"\0swap",
                                    "templates/.site/roles.md.j2": "# Draft\n", "roster.csv": "id,name\n"})
    assert build(small_project).skipped
