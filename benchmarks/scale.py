"""Benchmark the site's size and build time against the number of pages.

    python benchmarks/scale.py [--challenges 500 5000]

Each run writes a synthetic program (the small test project with N challenges and N playbooks)
into a temporary folder and builds the site only (no PDFs), with the default engine. A site whose
pages each carried the whole navigation would grow with the square of the pages; the target is
MB/page staying flat as N grows. One line per N: pages, total MB, seconds, MB/page, largest page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "golden" / "small" / "project"


def synthetic_program(text: str, count: int) -> str:
    """Return the small program with `count` challenges, each with a playbook that remedies it."""
    challenges = ["challenges:"]
    playbooks = ["playbooks:"]
    for n in range(count):
        cid = "busy" if n == 0 else f"challenge-{n}"  # the training module refers to `busy`
        challenges += [f"  - id: {cid}", f"    title: Challenge number {n}",
                       f"    description: What goes wrong in case {n}, and how it shows.",
                       "    warning_signs:", "      - Cancelled sessions"]
        playbooks += [f"  - id: playbook-{n}", f"    title: Playbook number {n}", f"    addresses: [{cid}]",
                      f"    summary: What to do about case {n}.", "    steps:", "      - action: Talk it through",
                      "        who: peer", "        when: Week 1", "    escalation: Talk to the coordinator."]
    start = text.index("challenges:\n")
    end = text.index("implementation:\n")
    return text[:start] + "\n".join(challenges + playbooks) + "\n\n" + text[end:]


def make_project(target: Path, count: int) -> Path:
    """Write the synthetic project with `count` challenges and playbooks into `target`."""
    shutil.copytree(SMALL, target, ignore=shutil.ignore_patterns("build", ".handbook"))
    program = target / "program.yaml"
    program.write_text(synthetic_program(program.read_text(encoding="utf-8"), count), encoding="utf-8")
    return target


def build_site_only(project: Path, site_dir: Path) -> int:
    """Load, render and build the site of `project` into `site_dir`; return the number of pages."""
    from handbook.commands.stage import load
    from handbook.output.site import build_site
    from handbook.render.site import render_site

    loaded = load(project)
    tree = render_site(loaded)
    build_site(loaded, tree, site_dir)
    return len(tree.pages)


def measure(count: int) -> dict[str, float]:
    """Build the site for `count` challenges and return its figures."""
    with tempfile.TemporaryDirectory(prefix="handbook-scale-") as work:
        project = make_project(Path(work) / "project", count)
        site = Path(work) / "site"
        started = time.perf_counter()
        pages = build_site_only(project, site)
        seconds = time.perf_counter() - started
        html = [p.stat().st_size for p in site.rglob("*.html")]
        total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        one = (site / "challenges" / "challenge-1.html").stat().st_size
    return {"challenges": count, "pages": pages, "mb": total / 1e6, "seconds": seconds,
            "mb_per_page": total / 1e6 / pages, "largest_kb": max(html) / 1e3, "challenge_kb": one / 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--challenges", type=int, nargs="+", default=[500, 5000])
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    sys.path.insert(0, str(ROOT / "src"))
    for count in args.challenges:
        r = measure(count)
        print(f"{r['challenges']:>6} challenges: {r['pages']:>6} pages, {r['mb']:8.1f} MB, {r['seconds']:7.1f} s, "
              f"{r['mb_per_page'] * 1000:7.1f} KB/page, one challenge page {r['challenge_kb']:.0f} KB, "
              f"largest page {r['largest_kb']:.0f} KB", flush=True)


if __name__ == "__main__":
    main()
