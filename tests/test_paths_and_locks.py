"""Files outside the project are never read; two builds in one project do not corrupt each other."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import build_file_tree, run_cli

from handbook.commands.build import project_lock
from handbook.load.project import Layout


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
    assert f"another `handbook build` is running in this project (pid {os.getpid()})" in result.stderr
    assert not (small_project / "build").exists()
    assert run_cli("build", "--project", small_project).exit_code == 0


HOLD_LOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "w")
fcntl.flock(handle, fcntl.LOCK_EX)
handle.write(sys.argv[2])
handle.flush()
print("holding", flush=True)
time.sleep(120)
"""


def dead_pid() -> int:
    ended = subprocess.Popen(["true"])
    ended.wait()
    return ended.pid


def test_a_lock_held_by_leftovers_of_a_dead_build_blocks_nothing(small_project: Path) -> None:
    """What a killed build's PDF workers did before they ended with it: hold the lock of a build that is gone."""
    lock = small_project / ".handbook" / "build.lock"
    lock.parent.mkdir()
    leftover = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lock), f"{dead_pid()} 1"],
                                stdout=subprocess.PIPE, text=True)
    try:
        assert leftover.stdout is not None and leftover.stdout.readline() == "holding\n"
        result = run_cli("build", "--project", small_project)
        assert result.exit_code == 0, result.stderr
        assert f"held by processes a killed build left behind (pids {leftover.pid};" in result.stdout
        assert (small_project / "build" / "site" / "index.html").is_file()
    finally:
        leftover.kill()
        leftover.wait()


def test_folders_of_the_coordinator_named_like_build_folders_survive(small_project: Path) -> None:
    build_file_tree(small_project, {"build.old-2025-cycle/pdf/handbook.output.pdf": b"%PDF last cycle",
                                    "build.new-mine/notes.txt": "mine"})
    assert run_cli("build", "--project", small_project).exit_code == 0
    assert (small_project / "build.old-2025-cycle" / "pdf" / "handbook.output.pdf").read_bytes() == b"%PDF last cycle"
    assert (small_project / "build.new-mine" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_folder_of_a_killed_build_is_removed_by_the_next(small_project: Path) -> None:
    build_file_tree(small_project, {"build.new-k1ll3d/site/index.html": "half written",
                                    ".handbook/staging/build.new-k1ll3d": f"{dead_pid()} 1"})
    assert run_cli("build", "--project", small_project).exit_code == 0
    assert sorted(p.name for p in small_project.iterdir() if p.name.startswith("build")) == ["build"]
    assert list((small_project / ".handbook" / "staging").iterdir()) == []
