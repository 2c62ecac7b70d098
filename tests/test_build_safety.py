"""A killed build loses nothing, and the same inputs build the same bytes."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EPOCH, copy_example, copy_project, small_with_cohort, tree_digest


def build(project: Path, *, clear_cache: bool = True) -> subprocess.CompletedProcess[str]:
    if clear_cache:
        subprocess.run(["rm", "-rf", str(project / ".handbook")], check=True)
    return subprocess.run([sys.executable, "-m", "handbook", "build", "--quiet", "--project", str(project)],
                          capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
                          timeout=300, check=False)


def test_two_builds_in_different_folders_are_byte_identical(built_example: Path, tmp_path: Path) -> None:
    first = built_example  # built in the test process, on the same EPOCH
    second = copy_example(tmp_path / "elsewhere" / "two")
    assert build(second).returncode == 0
    a, b = tree_digest(first / "build"), tree_digest(second / "build")
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"files that differ between two builds: {different}"
    assert any(name.startswith("pdf/agreements/") for name in a)
    assert any(name.startswith("calendar/") for name in a)
    assert "handbook-site.zip" in a


def test_an_incremental_build_equals_a_cold_build(built_example: Path, tmp_path: Path) -> None:
    warm = copy_project(built_example, tmp_path / "warm")  # built, its PDF cache included
    cold = copy_example(tmp_path / "cold")
    for project in (warm, cold):
        program = project / "program.yaml"
        program.write_text(program.read_text(encoding="utf-8").replace("length_minutes: 60", "length_minutes: 75"),
                           encoding="utf-8")
    assert build(warm, clear_cache=False).returncode == 0
    assert build(cold).returncode == 0
    assert tree_digest(warm / "build") == tree_digest(cold / "build")


@pytest.mark.parametrize("delay", [0.0, 1.0, 2.0, 3.5])
def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_build(built_example: Path, tmp_path: Path,
                                                                      delay: float) -> None:
    """Killed `delay` seconds after it starts writing: while PDFs render (they take seconds here)."""
    project = copy_project(built_example, tmp_path / "project")
    before = tree_digest(project / "build")
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("length_minutes: 60", "length_minutes: 75"),
                       encoding="utf-8")
    subprocess.run(["rm", "-rf", str(project / ".handbook")], check=True)  # every PDF must render again
    running = subprocess.Popen([sys.executable, "-m", "handbook", "build", "--quiet", "--project", str(project)],
                               env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith("build.new-") for p in project.iterdir()):
        assert running.poll() is None, "the build ended before it started writing"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(delay)
    os.killpg(running.pid, signal.SIGKILL)  # the build and its PDF workers, without warning
    running.wait()
    after_kill = tree_digest(project / "build")
    assert build(project, clear_cache=False).returncode == 0  # the next build cleans up and finishes
    complete = tree_digest(project / "build")
    assert after_kill in (before, complete), "a killed build left a half-written build/"
    assert not [p for p in project.iterdir() if p.name.startswith("build.")]


COHORT = """\
name: Test cycle
participants:
  - {id: ana, name: Ana Lima, email: ana@example.org}
  - {id: ben, name: Ben Okafor, email: ben@example.org}
groups:
  - {id: pair-1, members: [ana, ben], start: 2026-02-02}
"""


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real file system of 32 MB (tmpfs) that the test can fill up; skipped where mounting is not allowed."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m,mode=0755", "tmpfs", str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("a small disk needs `mount -t tmpfs` (root)")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_is_named_and_build_stays_as_it_was(small_disk: Path) -> None:
    project = small_with_cohort(small_disk / "project", COHORT)
    assert build(project, clear_cache=False).returncode == 0
    before = tree_digest(project / "build")
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("length_minutes: 45", "length_minutes: 50"),
                       encoding="utf-8")
    room = os.statvfs(small_disk)
    (small_disk / "filler").write_bytes(bytes(room.f_bavail * room.f_frsize - 64 * 1024))  # 64 KB left
    done = build(project, clear_cache=False)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    first, hint = done.stderr.splitlines()[:2]
    assert first.startswith("the disk is full while writing ")
    assert first.endswith("; nothing was replaced, build/ is as it was")
    assert str(project) not in first  # named inside the project, e.g. build/site/...
    assert hint.startswith("    hint: free some space on the disk")
    assert tree_digest(project / "build") == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith("build")) == ["build"]


def test_the_pdf_cache_and_the_build_state_are_private_like_build(tmp_path: Path) -> None:
    project = small_with_cohort(tmp_path / "project", COHORT)
    assert build(project).returncode == 0
    assert (project / ".handbook" / "cache" / "pdf").is_dir()
    assert stat.S_IMODE((project / "build").stat().st_mode) == 0o700
    modes = {p.relative_to(project).as_posix(): stat.S_IMODE(p.stat().st_mode)
             for p in [project / ".handbook", *(project / ".handbook").rglob("*")]}
    assert len(modes) > 10
    assert {name: mode for name, mode in modes.items()
            if mode != (0o700 if (project / name).is_dir() else 0o600)} == {}
