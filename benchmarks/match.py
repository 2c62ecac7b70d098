"""Benchmark `handbook match`: time per roster size, score against the greedy baseline, cost of pruning.

    python benchmarks/match.py [--sizes 100 500 1000] [--pruning-size 300]

Target: 1,000 participants in under 10 s. Prints one line per size and a last line
`ratio matched/greedy: X` (total score of the blossom matching over greedy's, at the largest size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.roster_gen import roster_csv  # noqa: E402
from handbook import matching  # noqa: E402
from handbook.project import Layout, load_program  # noqa: E402
from handbook.roster import read_roster  # noqa: E402

WHEN = dt.date(2026, 9, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--pruning-size", type=int, default=300,
                        help="roster size at which the pruned graph is compared with the full graph")
    args = parser.parse_args()
    policy = load_program(Layout(ROOT)).matching
    ratio = 0.0
    print(f"{'people':>7} {'seconds':>8} {'mean':>6} {'greedy mean':>12} {'vs greedy':>10} {'pruned to':>10}")
    for n in args.sizes:
        people = read_roster(roster_csv(n).encode(), "roster.csv", policy, needs_timezone=True)
        started = time.perf_counter()
        result = matching.match(people, policy, when=WHEN)
        seconds = time.perf_counter() - started
        baseline = matching.greedy(people, policy, when=WHEN)
        groups = len(result.groups)
        greedy_mean = baseline / groups if baseline else float("nan")
        ratio = result.total / baseline if baseline else float("nan")
        print(f"{n:>7} {seconds:>8.2f} {result.mean:>6.2f} {greedy_mean:>12.2f} {100 * (ratio - 1):>+9.2f}% "
              f"{result.pruned_to or 'full':>10}", flush=True)
    n = args.pruning_size
    people = read_roster(roster_csv(n).encode(), "roster.csv", policy, needs_timezone=True)
    pruned = matching.match(people, policy, when=WHEN)
    limit = matching.FULL_GRAPH_LIMIT
    matching.FULL_GRAPH_LIMIT = n + 1
    started = time.perf_counter()
    full = matching.match(people, policy, when=WHEN)
    full_seconds = time.perf_counter() - started
    matching.FULL_GRAPH_LIMIT = limit
    print(f"pruning cost at {n}: pruned total {pruned.total:.1f}, full graph total {full.total:.1f} "
          f"({full_seconds:.1f} s), {100 * (full.total - pruned.total) / full.total:.3f} % of score lost")
    print(f"ratio matched/greedy: {ratio:.4f}")


if __name__ == "__main__":
    main()
