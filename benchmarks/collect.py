"""Benchmark: `handbook collect` of N returned forms (default 200), against only reading their fields with pypdf.

    python benchmarks/collect.py
    python benchmarks/collect.py --forms 1000 --groups 400

Makes a project from the example program with a synthetic cohort of --groups pairs, prints the
three returned forms once, fills --forms copies as groups would (check-ins, session logs and
closure reflections, each with its own answers, filled through pikepdf as a viewer saves them) and collects them all with
`handbook collect` in-process: read, identify, store in SQLite (one transaction per file) and
write build/private/monitoring.html with its charts. In the same run, the baseline: reading the
same files' fields with pypdf and nothing else. Then the same folder again (every file a
duplicate). Prints seconds for each, `ratio collect/read: X`, and exits 1 when the first
collect takes 10 s or more (the target of issue 15).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks.agreements import synthetic_cohort  # noqa: E402
from handbook import i18n  # noqa: E402
from handbook.commands import stage  # noqa: E402
from handbook.commands.collect import collect  # noqa: E402
from handbook.output.pdf.renderer import render_batch  # noqa: E402
from handbook.render.printing import forms_batch  # noqa: E402

TARGET_SECONDS = 10.0
EXAMPLE = ("program.yaml", "program.de.yaml", "mkdocs.yml", "content", "templates", "versions")
RETURNED = ("forms/mid-point-check-in.pdf", "forms/session-log.pdf", "forms/closure-reflection.pdf")


def make_project(target: Path, groups: int) -> Path:
    target.mkdir(parents=True)
    for name in EXAMPLE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    cohort = synthetic_cohort(groups).model_dump(mode="json", exclude_none=True)
    (target / "cohort.yaml").write_text(yaml.safe_dump(cohort, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def fill_forms(project: Path, blank: Path, out: Path, count: int, seed: int = 15) -> list[Path]:
    import pikepdf

    loaded = stage.load(project)
    assert loaded.cohort is not None
    groups = [group.id for group in loaded.cohort.groups]
    steps = len(loaded.program.closure.planned.steps)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(count):
        group = groups[n % len(groups)]
        kind = ("mid-point-check-in", "session-log", "closure-reflection")[(n // len(groups)) % 3]
        values = {"hb-group": group}
        if kind == "mid-point-check-in":
            values |= {"sessions": str(rng.randint(2, 9)), "question-1": f"Answer {n}: on track.",
                       "question-3": rng.choice(["Yes.", "Mostly.", "Not yet, but better."])}
            values |= {f"member-{m}-goal-{g}-progress": f"/{rng.randint(0, 2)}" for m in (1, 2) for g in (1, 2, 3)}
            if rng.random() < 0.1:
                values["contact"] = "/on"
        elif kind == "session-log":
            values |= {f"log-{s}-date": f"2026-{9 + s // 4:02d}-{1 + 7 * (s % 4):02d}" for s in range(1, rng.randint(3, 13))}
        else:
            values |= {"sessions": str(rng.randint(8, 12))}
            values |= {f"closing-{s}": "/on" for s in range(1, steps + 1) if rng.random() < 0.7}
        target = out / f"{n:04d}-{group}-{kind}.pdf"
        with pikepdf.open(blank / f"{kind}.pdf") as pdf:  # as a viewer saves a filled form: each field's /V
            for field in pdf.Root.AcroForm.Fields:
                value = values.get(str(field.get("/T", "")))
                if value is not None:
                    field.V = pikepdf.Name(value) if value.startswith("/") else pikepdf.String(value)
            pdf.save(target)
        files.append(target)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=200)
    parser.add_argument("--groups", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        project = make_project(work / "project", args.groups)
        loaded = stage.load(project)
        with i18n.using(stage.words(loaded.layout, loaded.program)):
            batch = forms_batch(loaded.program, loaded.layout.templates, None, 2).subset(RETURNED)
        report = render_batch(batch, project, work / "blank")
        assert not report.error, report.error
        began = time.perf_counter()
        files = fill_forms(project, work / "blank" / "forms", work / "returns", args.forms)
        print(f"filled {len(files)} forms in {time.perf_counter() - began:.2f} s (not timed below)")

        from pypdf import PdfReader

        began = time.perf_counter()
        fields = sum(len(PdfReader(path).get_fields() or {}) for path in files)
        read = time.perf_counter() - began
        print(f"baseline, pypdf reads the fields only: {read:.2f} s ({fields} fields, {1000 * read / len(files):.1f} ms a form)")

        began = time.perf_counter()
        done = collect(project, [work / "returns"])
        first = time.perf_counter() - began
        assert len(done.added) == len(files) and not done.refused, (len(done.added), done.refused[:3])
        print(f"handbook collect, {len(files)} new forms: {first:.2f} s ({1000 * first / len(files):.1f} ms a form, "
              f"report written, {len(done.monitoring.gaps) if done.monitoring else 0} groups to act on)")

        began = time.perf_counter()
        again = collect(project, [work / "returns"])
        second = time.perf_counter() - began
        assert not again.added and len(again.again) == len(files)
        print(f"handbook collect, the same {len(files)} again (all recognised): {second:.2f} s")
        print(f"ratio collect/read: {first / read:.2f}")
        print(f"target: {len(files)} forms in under {TARGET_SECONDS:.0f} s: {'met' if first < TARGET_SECONDS else 'MISSED'}")
        return 0 if first < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
