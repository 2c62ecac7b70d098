"""Benchmark a build in several languages against a build in one, and the build with nothing changed.

    python benchmarks/languages.py [--runs 3]

Each build is a fresh `handbook build` process on a copy of the example, cold (no PDF cache), as a
coordinator runs it: once published in English only, once in English, German and French (the
German from the example's program.de.yaml, the French falling back to English: every language's
site, book, forms, terms and blank agreement are made either way). The same three-language copy is
then built again with nothing changed.

Targets (issue 14): three languages at most 3.5 times one language (the loading, validation and
the groups' own papers are done once); the build with nothing changed under 0.5 s. The last line
is `ratio three/one: X`.
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
EXAMPLE = ("program.yaml", "program.de.yaml", "cohort.yaml", "roster.csv", "mkdocs.yml", "content", "versions")
LANGUAGE_LINE = re.compile(r"^  languages?: .*$", re.M)


def example(target: Path, languages: list[str]) -> Path:
    """Copy the example into `target`, published in `languages` (the first is English, its source)."""
    target.mkdir(parents=True)
    for name in EXAMPLE:
        source = ROOT / name
        if source.exists():
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / name)
    program = target / "program.yaml"
    line = f"  languages: [{', '.join(languages)}]" if len(languages) > 1 else f"  language: {languages[0]}"
    program.write_text(LANGUAGE_LINE.sub(line, program.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    if len(languages) == 1:  # one language: no translation, no language folder of content
        (target / "program.de.yaml").unlink(missing_ok=True)
        shutil.rmtree(target / "content" / "de", ignore_errors=True)
    cohort = target / "cohort.yaml"
    if len(languages) == 1 and cohort.is_file():
        cohort.write_text(re.sub(r"^    language: .*\n", "", cohort.read_text(encoding="utf-8"), flags=re.M),
                          encoding="utf-8")
    return target


def timed_build(project: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "handbook", "build", "--project", str(project)],
                          capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1788220800",
                                                               "NO_MKDOCS_2_WARNING": "1"})
    if done.returncode:
        sys.exit(f"handbook build failed in {project}:\n{done.stderr}")
    return time.perf_counter() - started, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    one, three, noop = [], [], []
    pages = ""
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as work:
            one.append(timed_build(example(Path(work) / "one", ["en"]))[0])
            project = example(Path(work) / "three", ["en", "de", "fr"])
            seconds, output = timed_build(project)
            three.append(seconds)
            found = re.search(r"built \d+ pages", output)
            pages = found.group(0) if found else ""
            noop.append(timed_build(project)[0])
    o, t, n = (statistics.median(x) for x in (one, three, noop))
    print(f"one language (en):          {o:6.2f} s (median of {args.runs}, cold)")
    print(f"three languages (en de fr): {t:6.2f} s ({pages}; target at most 3.5 x one language)")
    print(f"nothing changed (three):    {n:6.2f} s (target under 0.5 s)")
    print(f"ratio three/one: {t / o:.2f}")


if __name__ == "__main__":
    main()
