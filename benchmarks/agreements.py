"""Benchmark: agreements rendered the way `handbook build` does, against one WeasyPrint call each.

    python benchmarks/agreements.py --pairs 300
    python benchmarks/agreements.py --pairs 1000 --sample 4
    python benchmarks/agreements.py --pairs 300 --pypdf

Builds N synthetic pairs on the example program (or --project DIR) and renders every agreement
as the build does (handbook.output.pdf.stamp: the agreement laid out once as a tagged PDF/UA
template, every group's names and dates laid out in one document of overlays and drawn into a
copy of the template next to their labels, on every core, no cache). In the same run, a sample
is rendered one WeasyPrint call per agreement (tagged PDF/UA as well), in a child process, half
before and half after the batched run. Prints ms per agreement for both paths, wall clock and
CPU (the CPU figures hold when other work shares the machine; the wall clock, with every core
of the batched path, does not: the load average is printed with them), the peak memory (parent
plus each worker at its largest), and last `ratio naive/batched: X` (wall clock).

--pypdf also measures the path the design first proposed, one WeasyPrint document of complete
agreements split into files with pypdf, and says what the split files lose.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from handbook import i18n  # noqa: E402
from handbook.commands.stage import load  # noqa: E402
from handbook.load.cohort import Cohort, Group, Participant  # noqa: E402
from handbook.load.locale import words  # noqa: E402
from handbook.output.pdf import default_workers, render_alone, write_pdfs  # noqa: E402
from handbook.render.printing import (  # noqa: E402
    Batch,
    Output,
    PrintSet,
    agreement_fingerprint,
    agreement_stamps,
    blank_agreement_batch,
    group_agreement_html,
)

FIRST = ["Amara", "Lukas", "Sofia", "Daniel", "Priya", "Mehmet", "Elena", "Tomáš", "Grace", "Jan", "Chloé",
         "Kwame", "Inés", "Noah", "Hannah", "Yuki", "Oskar", "Leila", "Mateo", "Aino"]
LAST = ["Osei", "Brandt", "Marques", "Kowalski", "Raman", "Yılmaz", "Petrova", "Novák", "Mensah", "de Vries",
        "Martin", "Asante", "García", "Fischer", "Okoro", "Tanaka", "Lindgren", "Haddad", "Rossi", "Virtanen"]
DEPARTMENTS = ["Warehouse Operations", "Transport Planning", "Customer Service", "Finance", "IT", "Procurement"]


def synthetic_cohort(pairs: int) -> Cohort:
    """Return a cohort of `pairs` pairs of fictional people with distinct names."""
    people = []
    for i in range(2 * pairs):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}-{i:04d}"
        people.append(Participant(id=f"p-{i:04d}", name=name, email=f"person.{i:04d}@example.org",
                                  department=DEPARTMENTS[i % len(DEPARTMENTS)]))
    start = dt.date(2026, 9, 14)
    groups = [Group(id=f"pair-{n:04d}", members=(f"p-{2 * n:04d}", f"p-{2 * n + 1:04d}"),
                    start=start + dt.timedelta(days=7 * (n % 4))) for n in range(pairs)]
    return Cohort(name="Benchmark", participants=tuple(people), groups=tuple(groups))


def project_root(arg: str | None) -> Path:
    if arg:
        return Path(arg).resolve()
    if (ROOT / "program.yaml").is_file():
        return ROOT
    return ROOT / "tests" / "golden" / "small" / "project"


def naive_batch(program, cohort: Cohort, root: Path, fingerprint: str, sample: list[Group]) -> Batch:
    """Return a batch of the sample's agreements laid out in full, names in place (the slow way)."""
    blank = blank_agreement_batch(program, root / "templates", fingerprint, "2026-09-01T00:00:00Z")
    outputs = tuple(Output(f"naive/{g.id}.pdf", group_agreement_html(program, g, cohort, root / "templates",
                                                                     fingerprint), blank.outputs[0].meta)
                    for g in sample)
    return replace(blank, outputs=outputs)


def pypdf_split(batch: Batch, out_dir: Path, root: Path) -> tuple[float, str]:
    """Lay out `batch` as one PDF, split it with pypdf; return ms per agreement and what the files lose."""
    from pypdf import PdfReader, PdfWriter

    from handbook.output.pdf.renderer import Renderer

    started = time.perf_counter()
    renderer = Renderer(batch, root, forms=True, tagged=False)
    document, starts = renderer.layout([o.html for o in batch.outputs])
    whole = PdfReader(io.BytesIO(renderer.write(document, list(document.pages), batch.outputs[0].meta)))
    ends = starts[1:] + [len(whole.pages)]
    lost = ""
    for n, (first, end) in enumerate(zip(starts, ends)):
        writer = PdfWriter()
        for index in range(first, end):
            writer.add_page(whole.pages[index])
        target = out_dir / f"split-{n}.pdf"
        with open(target, "wb") as handle:
            writer.write(handle)
        if n == 0:
            split = PdfReader(target)
            missing = [what for what, ok in (("form fields (AcroForm)", bool(split.get_fields())),
                                             ("XMP metadata (PDF/A)", split.xmp_metadata is not None),
                                             ("output intent", "/OutputIntents" in split.trailer["/Root"]))
                       if not ok]
            lost = ", ".join(missing) or "nothing"
    return (time.perf_counter() - started) * 1000 / len(batch.outputs), lost


def naive_times(project: str, pairs: int, sample: int, out: str) -> list[tuple[float, float]]:
    """Render `sample` agreements one WeasyPrint call each, after one untimed call; return (wall, CPU) ms per call.

    Runs in a child process of its own, so that the parent starts the batched path's workers as
    `handbook build` does: by forking a process that never ran WeasyPrint.
    """
    root = Path(project)
    loaded = load(root)
    program = loaded.program
    cohort = synthetic_cohort(pairs)
    with i18n.using(words(loaded.layout, program)):  # in the program's language, as the build
        fingerprint = agreement_fingerprint(program)
        step = max(1, pairs // max(1, sample))
        groups = [cohort.groups[min(pairs - 1, i * step)] for i in range(sample)]
        naive_set = naive_batch(program, cohort, root, fingerprint, groups)
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    render_alone(naive_set, naive_set.outputs[0], root, target / "warm-up.pdf")
    times = []
    for n, output in enumerate(naive_set.outputs):
        started, cpu = time.perf_counter(), time.process_time()
        render_alone(naive_set, output, root, target / f"naive-{n}.pdf")
        times.append(((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000))
    return times


def in_child(function, *args):  # type: ignore[no-untyped-def]
    """Return `function(*args)` computed in a fresh child process."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=300, help="number of synthetic pairs (default 300)")
    parser.add_argument("--sample", type=int, default=6, help="agreements rendered one by one (default 6)")
    parser.add_argument("--workers", type=int, default=0, help="processes for the batched path (default: cores)")
    parser.add_argument("--project", help="project folder (default: the repository's example)")
    parser.add_argument("--pypdf", action="store_true", help="also measure splitting one PDF with pypdf")
    args = parser.parse_args()

    root = project_root(args.project)
    loaded = load(root)
    program = loaded.program
    workers = args.workers or default_workers()
    cohort = synthetic_cohort(args.pairs)
    with i18n.using(words(loaded.layout, program)):  # in the program's language, as the build
        fingerprint = agreement_fingerprint(program)
        started = time.perf_counter()
        stamps = agreement_stamps(program, cohort, root / "templates", fingerprint, "2026-09-01T00:00:00Z")
        html_seconds = time.perf_counter() - started
    count = len(stamps.fills)
    print(f"project: {root}")
    print(f"agreements: {count} pairs, {workers} worker processes")
    print(f"print HTML: {html_seconds * 1000 / count:.1f} ms per agreement")

    with tempfile.TemporaryDirectory(prefix="handbook-bench-") as tmp:
        out = Path(tmp)
        # The naive sample is timed half before and half after the batched path: load drifts.
        half = max(1, args.sample // 2)
        naive = in_child(naive_times, str(root), args.pairs, half, str(out / "naive-1"))
        started, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        report = write_pdfs(PrintSet((), (stamps,), fingerprint), root, out / "batched", cache=None, workers=workers)
        batched = (time.perf_counter() - started) * 1000 / count
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, ended with the job
        batched_cpu = ((after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)) * 1000 / count
        parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        naive += in_child(naive_times, str(root), args.pairs, max(1, args.sample - half), str(out / "naive-2"))
        pages = sorted(set(report.pages.values()))
        size = sum(p.stat().st_size for p in (out / "batched").rglob("*.pdf")) / count / 1024
        print(f"batched: {batched:.1f} ms per agreement ({report.seconds:.2f} s for {count}; "
              f"{'/'.join(map(str, pages))} pages each, {size:.0f} KB each)")
        walls = [wall for wall, _cpu in naive]
        mean = sum(walls) / len(walls)
        naive_cpu = sum(cpu for _wall, cpu in naive) / len(naive)
        print(f"naive: {mean:.1f} ms per agreement (one WeasyPrint call each, sample of {len(naive)}: "
              f"{min(walls):.0f} to {max(walls):.0f} ms)")
        print(f"cpu: naive {naive_cpu:.1f} ms, batched {batched_cpu:.1f} ms per agreement (all workers), "
              f"{workers} cores: ratio {naive_cpu * workers / batched_cpu:.1f} when nothing else runs; "
              f"load average {os.getloadavg()[0]:.1f}")

        if args.pypdf:
            sample = list(cohort.groups[:min(count, 20)])
            per, lost = in_child(pypdf_split_child, str(root), args.pairs, len(sample), str(out / "split"))
            print(f"one WeasyPrint document split with pypdf: {per:.1f} ms per agreement on one core; "
                  f"the split files lose: {lost}")

    peak = parent_mb + workers * report.max_rss_mb
    print(f"peak memory: {peak:.0f} MB (parent {parent_mb:.0f} MB + {workers} workers x at most "
          f"{report.max_rss_mb:.0f} MB)")
    print(f"ratio naive/batched: {mean / batched:.1f}")


def pypdf_split_child(project: str, pairs: int, count: int, out: str) -> tuple[float, str]:
    root = Path(project)
    loaded = load(root)
    cohort = synthetic_cohort(pairs)
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    with i18n.using(words(loaded.layout, loaded.program)):
        fingerprint = agreement_fingerprint(loaded.program)
        batch = naive_batch(loaded.program, cohort, root, fingerprint, list(cohort.groups[:count]))
    return pypdf_split(batch, target, root)


if __name__ == "__main__":
    main()
