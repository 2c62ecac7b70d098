"""Files outside the project are never read; two builds in one project do not corrupt each other."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import build_file_tree, run_cli

from handbook.build import project_lock
from handbook.project import Layout


def test_content_page_linking_outside_the_project_is_refused(small_project: Path, tmp_path: Path) -> None:
    secret = build_file_tree(tmp_path / "elsewhere", {"secret.md": "# Salaries\n"}) / "secret.md"
    os.symlink(secret, small_project / "content" / "secret.md")
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    assert "content/secret.md: is a link to a file outside the project" in result.stderr


def test_template_linking_outside_the_project_is_refused(small_project: Path, tmp_path: Path) -> None:
    outside = build_file_tree(tmp_path / "elsewhere", {"roles.md.j2": "# Roles\n"}) / "roles.md.j2"
    (small_project / "templates" / "site").mkdir(parents=True)
    os.symlink(outside, small_project / "templates" / "site" / "roles.md.j2")
    result = run_cli("build", "--project", small_project)
    assert result.exit_code == 2
    assert "templates/site/roles.md.j2: is a link to a file outside the project" in result.stderr


def test_a_second_build_while_one_runs_is_refused_clearly(small_project: Path) -> None:
    with project_lock(Layout(small_project.resolve())):
        result = run_cli("build", "--project", small_project)
    assert result.exit_code == 1
    assert "another `handbook build` is running in this project" in result.stderr
    assert not (small_project / "build").exists()
    assert run_cli("build", "--project", small_project).exit_code == 0
