"""Bad input: every mistake a coordinator can make gets a located message, exit 2, nothing written."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import SMALL, build_file_tree, copy_example, run_cli, tree_digest

PROGRAM = (SMALL / "program.yaml").read_text(encoding="utf-8")


CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(d.name for d in CORPUS.iterdir() if (d / "case.yaml").is_file())
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space a case may use
TIME_LIMIT = 60  # seconds before a case counts as a hang


def lay_out(case: Path, target: Path) -> dict:
    """Build the case's project in `target`: a base project, whole files over it, then edits."""
    spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    base = spec.get("base", "small")
    if base == "small":
        shutil.copytree(SMALL, target, ignore=shutil.ignore_patterns("build", ".handbook"))
    elif base == "example":
        copy_example(target)
    else:
        target.mkdir(parents=True)
    if (case / "files").is_dir():
        shutil.copytree(case / "files", target, dirs_exist_ok=True)
    if (case / "outside").is_dir():  # files beside the project, for links that lead out of it
        shutil.copytree(case / "outside", target.parent / "outside", dirs_exist_ok=True)
    for name, pointee in (spec.get("symlinks") or {}).items():
        # Real links (copytree copies what a link points to): {path in the project: where it points}.
        link = target / name
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        elif link.exists() or link.is_symlink():
            link.unlink()
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(pointee, link)
    for name, edits in (spec.get("edit") or {}).items():
        path = target / name
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, f"{case.name}: {old!r} is not in {name}"
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    for name, extra in (spec.get("append") or {}).items():
        with open(target / name, "a", encoding="utf-8") as handle:
            handle.write(extra)
    for name, megabytes in (spec.get("pad") or {}).items():
        # A huge file: the same content followed by comment lines up to the size asked for.
        with open(target / name, "a", encoding="utf-8") as handle:
            line = "# " + "padding " * 12 + "\n"
            handle.write(line * (megabytes * 1024 * 1024 // len(line) + 1))
    return spec


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("name", CASES)
def test_bad_input_gets_its_exact_message_exit_2_and_build_stays(name: str, tmp_path: Path) -> None:
    """Regenerate expected.txt after an intended change: UPDATE_GOLDENS=1 python -m pytest tests/test_bad_inputs.py"""
    case = CORPUS / name
    project = tmp_path / "project"
    spec = lay_out(case, project)
    build_file_tree(project, {"build/site/index.html": "<p>previous build</p>", "build/pdf/x.pdf": b"%PDF"})
    before = tree_digest(project / "build")
    command = [sys.executable, "-m", "handbook", spec.get("command", "build"), *spec.get("args", []),
               "--project", "."]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=TIME_LIMIT,
                          preexec_fn=_limits, env=env, check=False)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode == 2, f"exit code {done.returncode}:\n{done.stderr}"
    expected_file = case / "expected.txt"
    if os.environ.get("UPDATE_GOLDENS"):
        expected_file.write_text(done.stderr, encoding="utf-8")
    assert done.stderr == expected_file.read_text(encoding="utf-8")
    assert done.stderr.rstrip().endswith("nothing was written.")
    assert tree_digest(project / "build") == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith("build")) == ["build"]


# Problems that only the PDF renderer finds, while it prints: `check` renders no PDF, so it cannot
# see them. Everything else that `build` refuses, `check` refuses with the same words.
FOUND_WHILE_PRINTING = {"print-stylesheet-unknown-property", "print-template-attaches-cohort"}


@pytest.mark.parametrize("name", [n for n in CASES if n not in FOUND_WHILE_PRINTING
                                  and yaml.safe_load((CORPUS / n / "case.yaml").read_text(encoding="utf-8"))
                                  .get("command", "build") == "build"])
def test_check_refuses_what_build_refuses_with_the_same_problems(name: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    lay_out(CORPUS / name, project)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "handbook", "check", "--project", "."], cwd=project,
                          capture_output=True, text=True, timeout=TIME_LIMIT, preexec_fn=_limits, env=env, check=False)
    assert done.returncode == 2, f"check exited {done.returncode}:\n{done.stderr}"
    assert done.stderr == (CORPUS / name / "expected.txt").read_text(encoding="utf-8")
    assert not (project / "build").exists()


def test_bad_input_corpus_covers_every_kind_of_input() -> None:
    assert len(CASES) >= 40
    touched = set()
    for name in CASES:
        spec = yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))
        files = {*(spec.get("edit") or {}), *(spec.get("append") or {}), *(spec.get("pad") or {}),
                 *(spec.get("symlinks") or {})}
        if (CORPUS / name / "files").is_dir():
            files |= {p.relative_to(CORPUS / name / "files").parts[0] for p in (CORPUS / name / "files").rglob("*")}
        touched |= {f.split("/")[0] for f in files}
    assert {"program.yaml", "cohort.yaml", "roster.csv", "templates", "content"} <= touched, touched


def test_three_mistakes_are_all_reported_in_line_order(small_project: Path) -> None:
    text = PROGRAM.replace('  version: "1.0"', '  versoin: "1.0"').replace("      hours: 2\n", "      hours: two\n")
    text = text.replace("addresses: [busy]\n    summary", "addresses: [bussy]\n    summary")
    build_file_tree(small_project, {"program.yaml": text})
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    located = [line.split(": ")[0] for line in result.stderr.splitlines() if line.startswith("program.yaml:")]
    assert located == ["program.yaml:6:3", "program.yaml:93:14", "program.yaml:113:17"]
    assert result.stderr.rstrip().endswith("3 problems in program.yaml; nothing was written.")
    assert not (small_project / "build").exists()


def test_missing_program_file_names_it(tmp_path: Path) -> None:
    result = run_cli("check", "--project", tmp_path)
    assert result.exit_code == 2
    assert "no program.yaml in" in result.stderr
    assert "handbook init" in result.stderr


def test_byte_order_mark_is_accepted(small_project: Path) -> None:
    build_file_tree(small_project, {"program.yaml": b"\xef\xbb\xbf" + PROGRAM.encode()})
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 0, result.stderr
