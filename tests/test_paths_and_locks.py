"""Files outside the project are never read; two builds in one project do not corrupt each other."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_file_tree, copy_example, run_cli

from handbook.layout import Layout
from handbook.output.workspace import project_lock, write_atomically


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


def test_a_second_build_while_one_runs_is_refused_clearly(small_project_warm: Path) -> None:
    with project_lock(Layout(small_project_warm.resolve())):
        result = run_cli("build", "--project", small_project_warm)
    assert result.exit_code == 1
    assert f"another `handbook build` is running in this project (pid {os.getpid()})" in result.stderr
    assert not (small_project_warm / "build").exists()
    assert run_cli("build", "--project", small_project_warm).exit_code == 0


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


def test_a_lock_held_by_leftovers_of_a_dead_build_blocks_nothing(small_project_warm: Path) -> None:
    """What a killed build's PDF workers did before they ended with it: hold the lock of a build that is gone."""
    lock = small_project_warm / ".handbook" / "build.lock"
    lock.parent.mkdir(exist_ok=True)
    leftover = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lock), f"{dead_pid()} 1"],
                                stdout=subprocess.PIPE, text=True)
    try:
        assert leftover.stdout is not None and leftover.stdout.readline() == "holding\n"
        result = run_cli("build", "--project", small_project_warm)
        assert result.exit_code == 0, result.stderr
        assert f"held by processes a killed build left behind (pids {leftover.pid};" in result.stdout
        assert (small_project_warm / "build" / "site" / "index.html").is_file()
    finally:
        leftover.kill()
        leftover.wait()


def test_folders_of_the_coordinator_named_like_build_folders_survive(small_project_warm: Path) -> None:
    build_file_tree(small_project_warm, {"build.old-2025-cycle/pdf/handbook.pdf": b"%PDF last cycle",
                                    "build.new-mine/notes.txt": "mine"})
    assert run_cli("build", "--project", small_project_warm).exit_code == 0
    assert (small_project_warm / "build.old-2025-cycle" / "pdf" / "handbook.pdf").read_bytes() == b"%PDF last cycle"
    assert (small_project_warm / "build.new-mine" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_folder_of_a_killed_build_is_removed_by_the_next(small_project_warm: Path) -> None:
    build_file_tree(small_project_warm, {"build.new-k1ll3d/site/index.html": "half written",
                                    ".handbook/staging/build.new-k1ll3d": f"{dead_pid()} 1"})
    assert run_cli("build", "--project", small_project_warm).exit_code == 0
    assert sorted(p.name for p in small_project_warm.iterdir() if p.name.startswith("build")) == ["build"]
    assert list((small_project_warm / ".handbook" / "staging").iterdir()) == []


def test_match_writes_its_files_for_the_coordinator_only_and_whole(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    result = run_cli("match", project / "roster.csv", "--out", "cycles/autumn.yaml", "--project", project)
    assert result.exit_code == 0, result.stderr
    written = {"cycles": 0o700, "cycles/autumn.yaml": 0o600, "build/private": 0o700,
               "build/private/match-report.html": 0o600}
    assert {name: stat.S_IMODE((project / name).stat().st_mode) for name in written} == written
    assert "groups:" in (project / "cycles" / "autumn.yaml").read_text(encoding="utf-8")
    assert sorted(p.name for p in (project / "cycles").iterdir()) == ["autumn.yaml"]  # no temporary left


def test_a_write_the_disk_refuses_keeps_the_old_file_and_names_the_new(tmp_path: Path, monkeypatch) -> None:
    target = build_file_tree(tmp_path, {"cohort.yaml": "the old cohort\n"}) / "cohort.yaml"

    def full_disk(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError) as refused:
        write_atomically(target, "the new cohort\n")
    assert refused.value.errno == errno.ENOSPC and refused.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == "the old cohort\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cohort.yaml"]
