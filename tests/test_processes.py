"""Nothing lingers: a killed or stopped build, or a stopped preview, leaves no process and no lock behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest
from conftest import small_with_cohort

COHORT = """\
name: Test cycle
participants:
  - {id: ana, name: Ana Lima, email: ana@example.org}
  - {id: ben, name: Ben Okafor, email: ben@example.org}
  - {id: cai, name: Cai Wen, email: cai@example.org}
  - {id: dan, name: Dan Roe, email: dan@example.org}
groups:
  - {id: pair-1, members: [ana, ben], start: 2026-02-02}
  - {id: pair-2, members: [cai, dan], start: 2026-02-02}
"""


def marked(mark: str) -> list[int]:
    """Return the running processes whose environment carries `mark` (zombies have none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"HANDBOOK_TEST_MARK={mark}".encode() in environment:
            found.append(int(entry.name))
    return found


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def staging(project: Path) -> list[Path]:
    return [p for p in project.iterdir() if p.name.startswith("build.")]


def start(project: Path, mark: str, *command: str) -> subprocess.Popen[str]:
    """Start `handbook COMMAND --project PROJECT` in a session of its own, its processes marked."""
    return subprocess.Popen([sys.executable, "-m", "handbook", *command, "--project", str(project)],
                            env={**os.environ, "HANDBOOK_TEST_MARK": mark, "NO_COLOR": "1"},
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "handbook", "build", "--quiet", "--project", str(project)],
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The small project with two named agreements to print."""
    return small_with_cohort(tmp_path / "project", COHORT)


@pytest.fixture
def mark():
    """A mark for the processes of one test; whatever still carries it at the end is killed."""
    value = uuid.uuid4().hex
    yield value
    for pid in marked(value):
        os.kill(pid, signal.SIGKILL)


def workers(pid: int) -> list[int]:
    """Return the children of `pid` forked from it (same command line): its PDF workers."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (entry.name.isdigit() and (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(pid)
                    and (entry / "cmdline").read_bytes() == command):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def start_build_and_wait_for_workers(project: Path, mark: str) -> subprocess.Popen[str]:
    running = start(project, mark, "build")
    # The first PDF written: the workers are up (other children are short-lived helpers like ldconfig).
    wait_until(lambda: running.poll() is None and any(p.suffix == ".pdf" for s in staging(project)
                                                      for p in s.rglob("*")) and bool(workers(running.pid)),
               60, "the build to start printing PDFs")
    return running


def test_a_build_killed_with_sigkill_leaves_no_worker_and_no_lock(project: Path, mark: str) -> None:
    running = start_build_and_wait_for_workers(project, mark)
    os.kill(running.pid, signal.SIGKILL)  # the build alone, as the kernel's OOM killer or `kill -9` would
    running.wait()
    wait_until(lambda: not marked(mark), 5, "the PDF workers of the killed build to end")
    done = build(project)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in staging(project)] == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_build_stopped_by_sigterm_or_sighup_cleans_up_and_says_so(project: Path, mark: str, signum: int) -> None:
    running = start_build_and_wait_for_workers(project, mark)
    os.kill(running.pid, signum)
    _, errors = running.communicate(timeout=30)
    assert running.returncode == 128 + signum, errors
    assert f"stopped by {signal.Signals(signum).name}" in errors
    assert "Traceback" not in errors
    assert not marked(mark), "PDF workers outlived the stopped build"
    assert staging(project) == [], "the stopped build left its staging folder"
    assert not (project / "build").exists()
    assert build(project).returncode == 0


def test_serve_stopped_by_sigterm_ends_its_background_build(project: Path, mark: str) -> None:
    serving = start(project, mark, "serve", "--port", "0")
    # The preview is built first; then the full build (PDFs) runs in a background process.
    wait_until(lambda: serving.poll() is None and bool(staging(project)), 90, "the background build to start")
    os.kill(serving.pid, signal.SIGTERM)  # a closed IDE or a process manager, not Ctrl+C
    _, errors = serving.communicate(timeout=60)
    assert serving.returncode == 0, errors
    assert errors.rstrip().endswith("stopped")
    assert "Traceback" not in errors
    wait_until(lambda: not marked(mark), 5, "the background build and its workers to end")
    assert staging(project) == []
    done = build(project)
    assert done.returncode == 0, done.stderr
