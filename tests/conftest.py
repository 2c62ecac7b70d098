"""Shared helpers: project trees from dicts, running the CLI, hashing a folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from handbook.commands.cli import main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks/ holds the synthetic roster generator
SMALL = ROOT / "tests" / "golden" / "small" / "project"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def build_file_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` ({relative path: text or bytes}) under `root` and return `root`."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def run_cli(*args: str | Path) -> Result:
    """Run `handbook ARGS` in-process and return the result (exit code, stdout, stderr)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def tree_digest(root: Path) -> dict[str, str]:
    """Return {relative path: sha256} for every file under `root`."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


EXAMPLE_FILES = ("program.yaml", "mkdocs.yml", "content", "templates", "cohort.yaml", "roster.csv")


def copy_example(target: Path) -> Path:
    """Copy the example project (the repository's own program) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    return target


def small_with_cohort(target: Path, cohort: str) -> Path:
    """Copy the small golden project to `target` with `cohort` as its cohort file, and return `target`."""
    shutil.copytree(SMALL, target, ignore=shutil.ignore_patterns("build", ".handbook"))
    program = target / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8") + "\ncohort: cohort.yaml\n", encoding="utf-8")
    build_file_tree(target, {"cohort.yaml": cohort})
    return target


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A copy of the small golden project, free to change."""
    target = tmp_path / "project"
    shutil.copytree(SMALL, target, ignore=shutil.ignore_patterns("build", ".handbook"))
    return target


# Whole modules whose tests drive Chromium, kill or time processes, run the CLI once per case
# in a subprocess, or draw thousands of property examples. `scripts/test --fast` leaves them
# out for the edit-and-test loop; CI (`scripts/test`) runs everything.
SLOW_MODULES = frozenset({
    "test_a11y.py", "test_bad_inputs.py", "test_browser.py", "test_browser_offline.py", "test_build_safety.py",
    "test_fresh_machine.py", "test_hostile_text.py", "test_html_valid.py", "test_processes.py",
    "test_properties.py",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
