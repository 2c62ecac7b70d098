"""Benchmark `handbook match`: time and peak memory per roster size, score against the greedy baseline.

    python benchmarks/match.py [--sizes 1000 5000 20000] [--pruning-size 300] [--group-people 300]

Each size runs in a fresh process, so its peak resident memory (ru_maxrss) is its own. Targets:
20,000 people in under 60 s and 2 GB; memory grows with the roster, not with its square.
Prints one line per size, the score lost to pruning at --pruning-size, a line
`ratio matched/greedy: X` (mean group score of the blossom matching over greedy's, at the largest size).
Then triads and circles of 4 at --group-people (target: 300 people in under 10 s), each with its
time, total score (the sum of every within-group pair's score) and greedy's total on the same roster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.roster_gen import roster_csv  # noqa: E402
from handbook.layout import Layout  # noqa: E402
from handbook.load.project import load_program  # noqa: E402
from handbook.load.roster import read_roster  # noqa: E402
from handbook.plan import matching  # noqa: E402

WHEN = dt.date(2026, 9, 1)


def peak_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(n: int) -> dict[str, float]:
    """Match a synthetic roster of `n` people and run the greedy baseline; return the figures."""
    policy = load_program(Layout(ROOT)).matching
    people = read_roster(roster_csv(n).encode(), "roster.csv", policy, needs_timezone=True)
    before = peak_mb()
    started = time.perf_counter()
    result = matching.match(people, policy, when=WHEN)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    greedy_total, stranded = matching.greedy_groups(people, policy, when=WHEN)
    greedy_seconds = time.perf_counter() - started
    # Greedy may strand people it cannot pair; compare mean group scores over the groups each formed.
    greedy_groups = (n - stranded) // 2
    return {"people": n, "seconds": seconds, "greedy_seconds": greedy_seconds, "peak_mb": peak_mb(),
            "start_mb": before, "mean": result.mean, "groups": len(result.groups),
            "greedy_mean": greedy_total / greedy_groups if greedy_groups else float("nan"),
            "stranded": stranded, "pruned_to": result.pruned_to}


def measure_groups(size: int, n: int) -> str:
    """Match `n` people into groups of `size`; return a line with the time and the score against greedy."""
    policy = load_program(Layout(ROOT)).matching.model_copy(update={"group_size": size})
    people = read_roster(roster_csv(n).encode(), "roster.csv", policy, needs_timezone=True)
    started = time.perf_counter()
    result = matching.match(people, policy, when=WHEN)
    seconds = time.perf_counter() - started
    greedy_total, stranded = matching.greedy_groups(people, policy, when=WHEN)
    sizes = sorted({len(g.members) for g in result.groups})
    line = (f"groups of {size} at {n}: {seconds:.2f} s, {len(result.groups)} groups of "
            f"{' or '.join(map(str, sizes))}, total {result.total:.1f}, mean group score {result.mean:.2f}; ")
    if stranded:
        return line + f"greedy strands {stranded} people (its {greedy_total:.1f} covers the groups it formed)"
    return line + f"greedy {greedy_total:.1f} ({100 * (result.total - greedy_total) / greedy_total:+.2f} %)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--pruning-size", type=int, default=300,
                        help="roster size at which the pruned graph is compared with the full graph (0: skip)")
    parser.add_argument("--group-people", type=int, default=300,
                        help="roster size for triads and circles of 4 (0: skip)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # run one size and print its figures as JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    ratio = float("nan")
    print(f"{'people':>7} {'seconds':>8} {'greedy s':>9} {'peak MB':>8} {'mean':>6} {'greedy mean':>12} "
          f"{'vs greedy':>10} {'stranded':>9} {'pruned to':>10}", flush=True)
    for n in args.sizes:
        done = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{n:>7} failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
            continue
        row = json.loads(done.stdout)
        ratio = row["mean"] / row["greedy_mean"]
        print(f"{n:>7} {row['seconds']:>8.2f} {row['greedy_seconds']:>9.2f} {row['peak_mb']:>8.0f} {row['mean']:>6.2f} "
              f"{row['greedy_mean']:>12.2f} {100 * (ratio - 1):>+9.2f}% {row['stranded']:>9} "
              f"{row['pruned_to'] or 'full':>10}", flush=True)
    n = args.pruning_size
    if n:
        policy = load_program(Layout(ROOT)).matching
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
    if args.group_people:
        for size in (3, 4):
            print(measure_groups(size, args.group_people), flush=True)


if __name__ == "__main__":
    main()
