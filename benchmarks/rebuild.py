"""Benchmark incremental builds: a cold build, a build with nothing changed, and one edit.

    python benchmarks/rebuild.py [--runs 3]

Each build is a fresh `handbook build` process on a copy of the example, as a coordinator runs it.
Targets: the no-op build under 1 s and at least 5 times faster than the cold build. The last line
is `ratio cold/no-op: X`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ("program.yaml", "cohort.yaml", "roster.csv", "mkdocs.yml", "content", "versions")


def timed_build(project: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "handbook", "build", "--project", str(project)],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1788220800"})
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cold, noop, edit = [], [], []
    printed = ""
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as work:
            project = Path(work) / "project"
            project.mkdir()
            for name in EXAMPLE:
                source = ROOT / name
                (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / name)
            cold.append(timed_build(project)[0])
            noop.append(timed_build(project)[0])
            program = project / "program.yaml"
            text = program.read_text(encoding="utf-8")
            program.write_text(text.replace("length_minutes: 60", "length_minutes: 75", 1), encoding="utf-8")
            seconds, output = timed_build(project)
            edit.append(seconds)
            printed = re.search(r"printed .*", output).group(0) if re.search(r"printed .*", output) else ""
    c, n, e = (statistics.median(x) for x in (cold, noop, edit))
    print(f"cold build:      {c:6.2f} s (median of {args.runs})")
    print(f"no-op build:     {n:6.2f} s")
    print(f"one guideline:   {e:6.2f} s ({printed})")
    print(f"ratio cold/one-edit: {c / e:.1f}")
    print(f"ratio cold/no-op: {c / n:.1f}")


if __name__ == "__main__":
    main()
