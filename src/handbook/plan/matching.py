"""Match peers into groups of `matching.group_size`: pairs by blossom, triads to circles of six by search.

Pure: people and the program's matching policy in, groups and figures out. A person who cannot be
placed is never dropped: the match fails with who it is and which constraints block them.

Pairs (group size 2): keep each person's best allowed partners, then maximum-weight matching
(blossom), one triad if the count is odd. Memory grows with the roster, not with its square: pairs
are scored and checked against the constraints a block of rows at a time, and only each person's
best partners are kept.

Groups of 3 to 6: a group's value is the sum of its pairs' scores, and every pair in a group keeps
every hard constraint. When the roster does not divide, `n % size` groups are one larger. Splitting
people into such groups is NP-hard (blossom has no counterpart beyond pairs), so:
- up to EXACT_GROUP_LIMIT people, an exact search: dynamic programming over subsets, the lowest
  person left always opening the next group (12 people in triads: a few thousand states);
- beyond, greedy seeding (best free pair first, grown by the person who adds most) and then local
  search: swap two people of different groups, or move one from a larger group to a smaller, all
  such moves scored at once as a matrix and applied in batches that touch disjoint groups, then a
  fixed number of seeded kicks (random swaps, kept only if the search then finds a better total).
  It starts from greedy and only accepts improvements, so it never ends below greedy; it is
  deterministic (fixed seed, fixed number of kicks, ties by lower index). A solver such as CP-SAT
  was not chosen: a large native dependency, and its answer within a time limit depends on the
  machine's speed, so the same roster could give different cohorts. Hard constraints are a penalty
  far above any score during the search, so a seed that had to break one is repaired; any left at
  the end fail the match, naming the people.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Sequence

import numpy as np

from handbook.errors import InputError, Problem
from handbook.load.roster import Person
from handbook.model import Matching
from handbook.plan.rules import ZONE_HINT, manager_keys, match_key, utc_offset

# Up to this many people every allowed pair is an edge; above it each person keeps their best
# CANDIDATES partners (the benchmark measures what that costs in score).
FULL_GRAPH_LIMIT = 120
CANDIDATES = 10
# Up to this many people an odd roster's triad is placed exactly (every leftover, every host pair).
EXACT_TRIAD_LIMIT = 13
SCALE = 1_000_000  # blossom works on integers: scores are scaled, not rounded to whole points
# Pairs scored at once (4 MB per matrix of floats), whatever the size of the roster: as fast as
# bigger blocks, and small enough that a 3,000-person match grows by ~25 MB rather than 1.5 GB.
BLOCK_CELLS = 1 << 19
# Distinct answers in a column up to which the points between every two answers are computed once.
TABLE_LIMIT = 1024
# Times the people a pruned graph leaves unmatched get every allowed partner back before the match fails.
RETRIES = 3
# Blocks of pairs scored at the same time (numpy works outside the interpreter lock).
THREADS = min(2, os.cpu_count() or 1)
_EXCLUDED = np.float32(1000.0)  # taken off a forbidden pair's score (at most 100) so it ranks below every allowed pair

CONSTRAINT_NAMES = {
    "manager": "same manager or reporting line",
    "department": "same department",
    "timezone": "time-zone gap",
    "previous": "previous partners",
}


@dataclass(frozen=True)
class Group:
    """A group of people, with its score (0-100: the mean of its pairs' scores) and each criterion's share of it."""

    members: tuple[Person, ...]
    score: float
    breakdown: tuple[tuple[str, float], ...]  # (criterion column, points it contributed)


@dataclass(frozen=True)
class MatchResult:
    """The groups, in a stable order, and figures that describe the match."""

    groups: tuple[Group, ...]
    total: float
    candidate_pairs: int
    allowed_pairs: int
    removed_by: tuple[tuple[str, int], ...]  # constraint -> candidate pairs it removed
    pruned_to: int  # partners kept per person; 0 when every allowed pair was considered
    greedy_total: float | None = None  # the greedy baseline's total, when asked for; None if it strands someone

    @property
    def mean(self) -> float:
        """The mean group score (0-100), whatever the group sizes."""
        return sum(g.score for g in self.groups) / len(self.groups) if self.groups else 0.0

    @cached_property  # the report asks once per group
    def lowest(self) -> Group:
        return min(self.groups, key=lambda g: (g.score, g.members[0].id))


def _number(value: str) -> float | None:
    try:
        number = float(value.replace(",", ".")) if value else None
    except ValueError:
        return None
    return number if number is None or math.isfinite(number) else None


def _codes(keys: Sequence[object]) -> tuple[np.ndarray, list[object]]:
    """Return each key's index among the distinct keys other than None, which gets their count, and those keys."""
    index: dict[object, int] = {}
    for key in keys:
        if key is not None:
            index.setdefault(key, len(index))
    missing = len(index)
    codes = np.fromiter((missing if k is None else index[k] for k in keys), dtype=np.intp, count=len(keys))
    return codes, list(index)


class _Column:
    """One criterion: each person's answer as a code, and the points two answers earn a pair."""

    def __init__(self, column: str, prefer: str, coefficient: float, people: Sequence[Person]) -> None:
        self.column = column
        self.similar = prefer == "similar"
        self.coefficient = coefficient
        raw = [p.attributes.get(column, "").strip() for p in people]
        numbers = [_number(v) for v in raw]
        self.numeric = all(x is not None for x, v in zip(numbers, raw) if v) and any(raw)
        # Code len(answers) stands for "not answered": it earns no points with anyone.
        if self.numeric:
            self.codes, answered = _codes([x if v else None for x, v in zip(numbers, raw)])
        else:
            self.codes, answered = _codes([p.values(column) if v else None for p, v in zip(people, raw)])
        self.absent = len(answered)
        self.present = np.append(np.ones(len(answered), dtype=bool), False)
        if self.numeric:
            self.values = np.append(np.array(answered, dtype=np.float64), 0.0)
            self.span = float(max(answered) - min(answered)) or 1.0
        else:
            self.sets: list[frozenset[str]] = answered  # type: ignore[assignment]
            self.sizes = np.array([len(s) for s in self.sets] + [0], dtype=np.float64)
            holders: dict[str, list[int]] = {}
            for code, values in enumerate(self.sets):
                for value in values:
                    holders.setdefault(value, []).append(code)
            self.holders = {v: np.array(c, dtype=np.intp) for v, c in holders.items()}
        self.table = self._rows(np.arange(self.absent + 1)) if self.absent < TABLE_LIMIT else None

    def _rows(self, codes: np.ndarray) -> np.ndarray:
        """Return the points between the answers `codes` and every answer, one row per code."""
        if self.numeric:
            distance = np.abs(self.values[codes][:, None] - self.values[None, :]) / self.span
            fit = 1.0 - distance if self.similar else distance
        else:
            inter = np.zeros((len(codes), self.absent + 1), dtype=np.float64)
            for row, code in enumerate(codes):
                if code < self.absent:
                    for value in self.sets[code]:
                        inter[row, self.holders[value]] += 1.0
            union = self.sizes[codes][:, None] + self.sizes[None, :] - inter
            jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
            fit = jaccard if self.similar else 1.0 - jaccard
        both = self.present[codes][:, None] & self.present[None, :]
        return self.coefficient * np.where(both, fit, 0.0)

    def points(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """Return the points of each of `rows` with each of `cols` (everyone by default)."""
        codes = self.codes[rows]
        if self.table is not None:
            table = self.table[codes]
        else:
            distinct, inverse = np.unique(codes, return_inverse=True)
            table = self._rows(distinct)[inverse.reshape(-1)]
        return table[:, self.codes if cols is None else self.codes[cols]]

    def pair_points(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Return the points of the pairs (a[i], b[i])."""
        if self.table is not None:
            return self.table[self.codes[a], self.codes[b]]
        out = np.empty(len(a), dtype=np.float64)
        step = max(1, BLOCK_CELLS // (self.absent + 1))
        for start in range(0, len(a), step):
            part = slice(start, start + step)
            distinct, inverse = np.unique(self.codes[a[part]], return_inverse=True)
            out[part] = self._rows(distinct)[inverse.reshape(-1), self.codes[b[part]]]
        return out


class Scorer:
    """Scores of pairs of people under a policy, per criterion, computed a block of pairs at a time."""

    def __init__(self, people: Sequence[Person], policy: Matching) -> None:
        self.people = list(people)
        self.policy = policy
        total_weight = sum(c.weight for c in policy.criteria)
        self.columns = [_Column(c.column, c.prefer, 100.0 * c.weight / total_weight, self.people)
                        for c in policy.criteria]

    def block(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """Return the scores of `rows` with `cols` (everyone by default), a row per person of `rows`."""
        score = self.columns[0].points(rows, cols)  # a fresh array: 0.0 + points would be the same numbers
        for column in self.columns[1:]:
            score += column.points(rows, cols)
        return score

    def parts(self, a: np.ndarray, b: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Return, per criterion column, the points of the pairs (a[i], b[i])."""
        return [(column.column, column.pair_points(a, b)) for column in self.columns]

    def pairs(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Return the scores of the pairs (a[i], b[i])."""
        score = np.zeros(len(a), dtype=np.float64)
        for _column, points in self.parts(a, b):
            score += points
        return score

    def pair_groups(self, pairs: Sequence[tuple[int, int]]) -> list[Group]:
        """Return the groups of these pairs of people with their scores, all pairs scored at once."""
        if not pairs:
            return []
        parts = self.parts(*_sides(pairs))
        score = np.zeros(len(pairs), dtype=np.float64)
        for _column, points in parts:
            score += points
        columns = [column for column, _points in parts]
        rounded = zip(*([round(x, 2) for x in points.tolist()] for _column, points in parts))
        return [Group(tuple(sorted((self.people[a], self.people[b]), key=lambda p: p.id)), value,
                      tuple(zip(columns, shares)))
                for (a, b), value, shares in zip(pairs, score.tolist(), rounded)]

    def group(self, members: Sequence[int]) -> Group:
        """Return the group of these people with its score: the mean of its pairs' scores."""
        a, b = (np.array(side, dtype=np.intp) for side in zip(*itertools.combinations(members, 2)))
        parts = self.parts(a, b)
        score = np.zeros(len(a), dtype=np.float64)
        for _column, points in parts:
            score += points
        breakdown = tuple((column, round(float(np.mean(points)), 2)) for column, points in parts)
        people = tuple(sorted((self.people[k] for k in members), key=lambda p: p.id))
        return Group(people, float(np.mean(score)), breakdown)


class _PairSet:
    """A symmetric set of pairs of people, kept as each person's list of partners."""

    def __init__(self, n: int, pairs: Iterable[tuple[int, int]]) -> None:
        flat = np.array(list(pairs), dtype=np.intp).reshape(-1, 2)
        source = np.concatenate([flat[:, 0], flat[:, 1]])
        target = np.concatenate([flat[:, 1], flat[:, 0]])
        order = np.lexsort((target, source))
        self.partners = target[order]
        self.start = np.searchsorted(source[order], np.arange(n + 1))

    def mark(self, mask: np.ndarray, rows: np.ndarray) -> None:
        """Set mask[r, j] for every partner j of each person rows[r]."""
        starts = self.start[rows]
        lengths = self.start[rows + 1] - starts
        total = int(lengths.sum())
        if total:
            before = np.cumsum(lengths) - lengths
            offsets = np.arange(total) - np.repeat(before, lengths) + np.repeat(starts, lengths)
            mask[np.repeat(np.arange(len(rows)), lengths), self.partners[offsets]] = True


def _equal(codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return where a person of `rows` and each person share a code."""
    return codes[rows][:, None] == codes[None, :]


class Rules:
    """The hard constraints of a policy over a roster, checked a block of pairs at a time.

    plan/constraints.py reads the same rules pair by pair for a hand-written cohort (`handbook
    check`); tests/test_cohort_constraints.py holds the two to the same answer.
    """

    def __init__(self, people: Sequence[Person], policy: Matching, when: dt.date,
                 previous: Iterable[frozenset[str]] = (), roster_name: str = "roster.csv") -> None:
        self.n = n = len(people)
        rules = policy.constraints
        self.names: list[str] = []
        if rules.different_manager:
            self.names.append("manager")
            managers = [match_key(p.manager) for p in people]
            self.manager = _blank_codes(managers)
            holders: dict[str, list[int]] = {}
            for j, person in enumerate(people):
                for key in manager_keys(person):
                    holders.setdefault(key, []).append(j)
            # A reporting line: one person's manager is the other person (by id, name or email).
            self.line = _PairSet(n, ((i, j) for i, m in enumerate(managers) if m for j in holders.get(m, ())))
        if rules.different_department:
            self.names.append("department")
            self.department = _blank_codes([match_key(p.department) for p in people])
        if rules.max_timezone_gap_hours is not None:
            self.names.append("timezone")
            zones, names = _codes([p.timezone for p in people])
            offsets = [utc_offset(zone, when) for zone in names]
            problems = [Problem(roster_name, p.line, 0, f"unknown time zone {p.timezone!r} for {p.id!r}",
                                hint=ZONE_HINT)
                        for p, code in zip(people, zones.tolist()) if offsets[code] is None]
            if problems:
                raise InputError(problems)
            values = np.array(offsets, dtype=np.float64)
            # Few distinct zones: whether two of them are too far apart is looked up, not computed per pair.
            self.zones = zones
            self.too_far = np.abs(values[:, None] - values[None, :]) > rules.max_timezone_gap_hours
        if rules.no_repeat_partners:
            self.names.append("previous")
            index = {p.id: i for i, p in enumerate(people)}
            self.previous = _PairSet(n, (pair for group in previous
                                         for pair in itertools.combinations(sorted(index[m] for m in group
                                                                                   if m in index), 2)))

    def masks(self, rows: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Return, per constraint, where it forbids a person of `rows` to pair with each person."""
        masks = []
        for name in self.names:
            if name == "manager":
                mask = _equal(self.manager, rows)
                self.line.mark(mask, rows)
            elif name == "department":
                mask = _equal(self.department, rows)
            elif name == "timezone":
                mask = self.too_far[self.zones[rows]][:, self.zones]
            else:
                mask = np.zeros((len(rows), self.n), dtype=bool)
                self.previous.mark(mask, rows)
            mask[np.arange(len(rows)), rows] = False
            masks.append((name, mask))
        return masks


def _blank_codes(values: Sequence[str]) -> np.ndarray:
    """Return a code per value, equal for equal values; each blank one gets a code of its own."""
    codes, distinct = _codes([v or None for v in values])
    blank = codes == len(distinct)
    codes[blank] = -1 - np.flatnonzero(blank)
    return codes


def _best(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return each row's k highest values that are not negative and their columns: highest first,
    ties by lower column (as a full sort would), padded with column -1."""
    count, width = values.shape
    if k == 0:
        return np.zeros((count, 0), dtype=np.intp), np.zeros((count, 0))
    if k < width:
        cols = np.argpartition(values, width - k, axis=1)[:, width - k:]
        chosen = np.take_along_axis(values, cols, axis=1)
        kth = chosen.min(axis=1)
        taken = np.count_nonzero(chosen == kth[:, None], axis=1)
        tied = values == kth[:, None]
        for r in np.flatnonzero((np.count_nonzero(tied, axis=1) > taken) & (kth >= 0)).tolist():
            # The partition kept some of the values equal to the k-th: keep those in the lowest columns instead.
            above = cols[r][chosen[r] > kth[r]]
            cols[r, :len(above)] = above
            cols[r, len(above):] = np.flatnonzero(tied[r])[:taken[r]]
    else:
        cols = np.tile(np.arange(width), (count, 1))
    chosen = np.take_along_axis(values, cols, axis=1)
    order = np.lexsort((cols, -chosen), axis=1)
    cols = np.take_along_axis(cols, order, axis=1)
    chosen = np.take_along_axis(chosen, order, axis=1)
    cols[chosen < 0] = -1
    return cols, chosen


class _Roster:
    """A roster under a policy: scores, constraints, and what one pass over every pair found."""

    def __init__(self, people: Sequence[Person], policy: Matching, when: dt.date,
                 previous: Iterable[frozenset[str]], roster_name: str) -> None:
        self.people = sorted(people, key=lambda p: p.id)
        self.n = n = len(self.people)
        self.roster_name = roster_name
        self.scorer = Scorer(self.people, policy)
        self.rules = Rules(self.people, policy, when, previous, roster_name)
        self.k = n - 1 if n <= FULL_GRAPH_LIMIT else min(CANDIDATES, n - 1)
        self.best = np.full((n, self.k), -1, dtype=np.intp)
        self.best_scores = np.full((n, self.k), -1.0)
        self.allowed = np.zeros(n, dtype=np.intp)  # allowed partners per person
        removed = np.zeros(len(self.rules.names), dtype=np.int64)
        self.lonely: list[tuple[int, str]] = []
        with ThreadPoolExecutor(THREADS) as pool:
            for rows, allowed, removed_here, lonely, best, scores in pool.map(self._scan, self.blocks(np.arange(n))):
                self.allowed[rows] = allowed
                removed += removed_here
                self.lonely += lonely
                self.best[rows], self.best_scores[rows] = best, scores
        # Each forbidden pair was seen from both sides.
        self.removed = tuple((CONSTRAINT_NAMES[name], int(count) // 2)
                             for name, count in zip(self.rules.names, removed))

    def _scan(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, str]],
                                               np.ndarray, np.ndarray]:
        """Return, for a block of people, allowed partners, pairs each constraint removes, who has no
        partner, and the best partners."""
        masks = self.rules.masks(rows)
        forbidden = np.zeros((len(rows), self.n), dtype=bool)
        removed = np.zeros(len(masks), dtype=np.int64)
        for c, (_name, mask) in enumerate(masks):
            before = np.count_nonzero(forbidden)
            forbidden |= mask
            removed[c] = np.count_nonzero(forbidden) - before
        forbidden[np.arange(len(rows)), rows] = True
        allowed = self.n - np.count_nonzero(forbidden, axis=1)
        lonely = [self._blocked(int(rows[r]), [(name, int(m[r].sum())) for name, m in masks])
                  for r in np.flatnonzero(allowed == 0)]
        del masks
        return (rows, allowed, removed, lonely, *self.choose(rows, forbidden, self.k))

    def blocks(self, rows: np.ndarray) -> Iterable[np.ndarray]:
        """Yield `rows` in blocks small enough that a block's pairs with everyone take bounded memory."""
        step = max(1, BLOCK_CELLS // max(self.n, 1))
        for start in range(0, len(rows), step):
            yield rows[start:start + step]

    def forbidden(self, rows: np.ndarray) -> np.ndarray:
        """Return where a person of `rows` may not pair with each person (themselves included)."""
        forbidden = np.zeros((len(rows), self.n), dtype=bool)
        for _name, mask in self.rules.masks(rows):
            forbidden |= mask
        forbidden[np.arange(len(rows)), rows] = True
        return forbidden

    def choose(self, rows: np.ndarray, forbidden: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the best `k` partners of each of `rows` that `forbidden` allows, and their scores."""
        score = self.scorer.block(rows)
        score -= forbidden * _EXCLUDED  # faster than a masked write; allowed scores lose nothing (x - 0.0 == x)
        return _best(score, k)

    def _blocked(self, i: int, counts: list[tuple[str, int]]) -> tuple[int, str]:
        person = self.people[i]
        reasons = ", ".join(f"{CONSTRAINT_NAMES[name]} rules out {count}" for name, count in counts if count)
        others = self.n - 1
        return person.line, (f"{person.id} ({person.name}) has no allowed partner among {others} "
                             f"other {'person' if others == 1 else 'people'}: {reasons}")

    def edges(self) -> dict[tuple[int, int], float]:
        """Return the candidate pairs (each person's best partners, both ways) and their scores."""
        a = np.repeat(np.arange(self.n), self.k)
        b = self.best.reshape(-1)
        keep = b >= 0
        a, b, w = a[keep], b[keep], self.best_scores.reshape(-1)[keep]
        low, high = np.minimum(a, b), np.maximum(a, b)
        keys, first = np.unique(low * self.n + high, return_index=True)
        return dict(zip(zip((keys // self.n).tolist(), (keys % self.n).tolist()), w[first].tolist()))

    def all_allowed(self, people: Sequence[int]) -> dict[tuple[int, int], float]:
        """Return every allowed pair that includes one of `people`, and its score."""
        edges: dict[tuple[int, int], float] = {}
        for rows in self.blocks(np.array(sorted(people), dtype=np.intp)):
            score = self.scorer.block(rows)
            allowed = ~self.forbidden(rows)
            for r, j in zip(*np.nonzero(allowed)):
                a, b = sorted((int(rows[r]), int(j)))
                edges[(a, b)] = float(score[r, j])
        return edges

    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """Return every pair's score and whether it is allowed, as n×n matrices: for small rosters only."""
        rows = np.arange(self.n)
        score = self.scorer.block(rows)
        np.fill_diagonal(score, 0.0)
        return score, ~self.forbidden(rows)

    def row(self, u: int) -> tuple[np.ndarray, np.ndarray]:
        """Return one person's score with everyone and whom they may pair with."""
        rows = np.array([u], dtype=np.intp)
        return self.scorer.block(rows)[0], ~self.forbidden(rows)[0]


def _blossom(nodes: Sequence[int], edges: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    """Return a maximum-cardinality, maximum-weight matching of `nodes` over `edges`."""
    import rustworkx as rx  # networkx's algorithm, compiled: 100 times faster on 5,000 people

    nodes = list(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    graph = rx.PyGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from([(index[a], index[b], int(round(w * SCALE)) + 1) for (a, b), w in sorted(edges.items())])
    matching = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    return sorted(tuple(sorted((nodes[x], nodes[y]))) for x, y in matching)


def _place_triad(pairs: list[tuple[int, int]], pair_scores: np.ndarray, u: int, roster: _Roster) -> tuple[int, float]:
    """Return (index of the pair that best hosts u, gain in total score), or (-1, 0) if none may."""
    if not pairs:
        return -1, 0.0
    score, allowed = roster.row(u)
    a, b = (np.array(side, dtype=np.intp) for side in zip(*pairs))
    gain = (pair_scores + score[a] + score[b]) / 3 - pair_scores
    gain[~(allowed[a] & allowed[b])] = -np.inf
    best = int(np.argmax(gain))
    return (best, float(gain[best])) if np.isfinite(gain[best]) else (-1, 0.0)


def _groups_total(pair_scores: Iterable[float], triad_value: float | None) -> float:
    total = sum(pair_scores)
    if triad_value is not None:
        total += triad_value
    return float(total)


def _fail(message_people: list[tuple[int, str]], roster_name: str, hint: str) -> InputError:
    return InputError([Problem(roster_name, line, 0, text, hint=hint) for line, text in message_people],
                      summary=f"{len(message_people)} participant{'s' if len(message_people) != 1 else ''} "
                              "could not be matched; nothing was written.")


def match(people: Sequence[Person], policy: Matching, *, when: dt.date,
          previous: Iterable[frozenset[str]] = (), roster_name: str = "roster.csv",
          with_greedy: bool = False) -> MatchResult:
    """Return the best grouping of `people` into groups of `policy.group_size`: pairs (and one triad if
    their number is odd), or groups of 3 to 6 with some one larger when the number does not divide."""
    if policy.group_size > 2:
        _check_group_count(people, policy.group_size, roster_name)
    roster = _Roster(people, policy, when, previous, roster_name)
    people, n = roster.people, roster.n
    if roster.lonely:
        raise _fail(roster.lonely, roster_name,
                    "relax a constraint under `matching.constraints` in program.yaml, or match this person by hand")
    if policy.group_size > 2:
        return _match_groups(roster, policy.group_size, with_greedy)
    odd = n % 2 == 1
    if odd and not policy.allow_triad:
        raise InputError([Problem(roster_name, 0, 0, f"the roster lists {n} people, an odd number, and "
                                  "`matching.allow_triad` is false", hint="allow one triad, or add or remove a person")])
    triad: tuple[int, int, int] | None = None
    if odd and n <= EXACT_TRIAD_LIMIT:
        pairs, triad = _exact_odd(roster)
    else:
        edges = roster.edges()
        pairs = _blossom(range(n), edges)
        left = sorted(set(range(n)) - {x for pair in pairs for x in pair})
        for _attempt in range(RETRIES):
            if len(left) <= (1 if odd else 0):
                break
            # The pruned graph was too thin for these people: give them every allowed partner.
            edges.update(roster.all_allowed(left))
            pairs = _blossom(range(n), edges)
            left = sorted(set(range(n)) - {x for pair in pairs for x in pair})
        if odd and len(left) == 1:
            host, _gain = _place_triad(pairs, roster.scorer.pairs(*_sides(pairs)), left[0], roster)
            if host >= 0:
                a, b = pairs.pop(host)
                triad = (a, b, left[0])
                left = []
        if left:
            raise _fail([(people[i].line, f"{people[i].id} ({people[i].name}) could not be placed: every allowed "
                                          "partner is needed in another group") for i in left], roster_name,
                        "relax a constraint under `matching.constraints`, or match these people by hand")
    pair_scores = roster.scorer.pairs(*_sides(pairs)) if pairs else np.zeros(0)
    groups = roster.scorer.pair_groups(pairs)
    triad_value = None
    if triad:
        group = roster.scorer.group(triad)
        groups.append(group)
        triad_value = _triad_value(triad, roster)
    groups.sort(key=lambda g: g.members[0].id)
    return MatchResult(tuple(groups), _groups_total(pair_scores.tolist(), triad_value), n * (n - 1) // 2,
                       int(roster.allowed.sum()) // 2, roster.removed, roster.k if n > FULL_GRAPH_LIMIT else 0,
                       _greedy_total(roster) if with_greedy else None)


def _greedy_total(roster: _Roster) -> float | None:
    total, stranded = _greedy(roster)
    return None if stranded else total


def _sides(pairs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    a, b = zip(*pairs) if pairs else ((), ())
    return np.array(a, dtype=np.intp), np.array(b, dtype=np.intp)


def _triad_value(triad: tuple[int, int, int], roster: _Roster) -> float:
    a, b, u = triad
    s = roster.scorer.pairs(np.array([a, a, b], dtype=np.intp), np.array([b, u, u], dtype=np.intp))
    return float((s[0] + s[1] + s[2]) / 3)


def _exact_odd(roster: _Roster) -> tuple[list[tuple[int, int]], tuple[int, int, int]]:
    """Place the triad exactly: every possible triad, with the best matching of everyone else."""
    n = roster.n
    score, allowed = roster.dense()
    best: tuple[float, list[tuple[int, int]], tuple[int, int, int]] | None = None
    for trio in itertools.combinations(range(n), 3):
        if not all(allowed[a, b] for a, b in itertools.combinations(trio, 2)):
            continue
        rest = [i for i in range(n) if i not in trio]
        edges = {(a, b): float(score[a, b]) for a, b in itertools.combinations(rest, 2) if allowed[a, b]}
        pairs = _blossom(rest, edges)
        if len(pairs) * 2 != len(rest):
            continue
        a, b, u = trio
        total = _groups_total((score[x, y] for x, y in pairs), (score[a, b] + score[a, u] + score[b, u]) / 3)
        if best is None or total > best[0] + 1e-9:
            best = (total, pairs, trio)
    if best is None:
        raise InputError([Problem("roster", 0, 0, "no grouping into pairs and one triad satisfies the constraints",
                                  hint="relax a constraint under `matching.constraints` in program.yaml")])
    return best[1], best[2]


def greedy(people: Sequence[Person], policy: Matching, *, when: dt.date,
           previous: Iterable[frozenset[str]] = ()) -> float | None:
    """Return the total score of the greedy baseline (best pair first; in groups of 3 to 6, each grown
    by the person who adds most), or None if it strands someone."""
    total, stranded = greedy_groups(people, policy, when=when, previous=previous)
    return None if stranded else total


def greedy_groups(people: Sequence[Person], policy: Matching, *, when: dt.date,
                  previous: Iterable[frozenset[str]] = ()) -> tuple[float, int]:
    """Return the greedy baseline's total score over the groups it forms, and how many people it strands."""
    roster = _Roster(people, policy, when, previous, "roster.csv")
    if policy.group_size > 2:
        _check_group_count(people, policy.group_size, "roster.csv")
        score, allowed = _dense_groups(roster)
        groups, stranded = _greedy_partition(score, allowed, policy.group_size)
        return _partition_total(score, groups), len(stranded)
    return _greedy(roster)


def _greedy(roster: _Roster) -> tuple[float, int]:
    """Return the greedy baseline's total and how many it strands: take the best pair of free people,
    ties by lower ids, until none is left, then put an odd one out into the pair that suits them best.

    Only each person's best partners are held; a free person whose listed partners are all taken
    gets a fresh list among the free before any pair that could be worth less than their next is taken.
    """
    n, k = roster.n, roster.k
    free = np.ones(n, dtype=bool)
    listed: list[set[int]] = [set() for _ in range(n)]  # listed[i]: free people on i's list
    listers: list[list[int]] = [[] for _ in range(n)]  # listers[j]: people whose list names j
    floor = np.full(n, -np.inf)  # the lowest listed score of a truncated list: unlisted partners score no more
    heap: list[tuple[float, int, int]] = []

    def take(rows: np.ndarray, best: np.ndarray, scores: np.ndarray, allowed: np.ndarray) -> None:
        for r, i in enumerate(rows.tolist()):
            partners = [j for j in best[r].tolist() if j >= 0]
            listed[i] = set(partners)
            for j, w in zip(partners, scores[r].tolist()):
                listers[j].append(i)
                heapq.heappush(heap, (-w, min(i, j), max(i, j)))
            floor[i] = scores[r, k - 1] if allowed[r] > k else -np.inf

    take(np.arange(n), roster.best, roster.best_scores, roster.allowed)
    stale: set[int] = set()
    stale_floor = -np.inf
    pairs: list[tuple[int, int]] = []
    while heap or stale:
        if stale and (not heap or stale_floor >= -heap[0][0]):
            rows = np.array(sorted(stale), dtype=np.intp)
            for block in roster.blocks(rows):
                forbidden = roster.forbidden(block) | ~free[None, :]
                best, scores = roster.choose(block, forbidden, k)
                take(block, best, scores, n - np.count_nonzero(forbidden, axis=1))
            stale, stale_floor = set(), -np.inf
            continue
        _w, a, b = heapq.heappop(heap)
        if not (free[a] and free[b]):
            continue
        pairs.append((a, b))
        free[a] = free[b] = False
        stale -= {a, b}
        for x in (a, b):
            for i in listers[x]:
                if free[i] and x in listed[i]:
                    listed[i].discard(x)
                    if not listed[i] and floor[i] > -np.inf:
                        stale.add(i)
                        stale_floor = max(stale_floor, floor[i])
            listers[x] = []
    left = np.flatnonzero(free).tolist()
    pair_scores = roster.scorer.pairs(*_sides(pairs)) if pairs else np.zeros(0)
    triad_value = None
    if len(left) == 1 and n % 2 == 1:
        host, _gain = _place_triad(pairs, pair_scores, left[0], roster)
        if host >= 0:
            a, b = pairs[host]
            triad_value = _triad_value((a, b, left.pop()), roster)
            pair_scores = np.delete(pair_scores, host)
    return _groups_total(pair_scores.tolist(), triad_value), len(left)


# --- groups of 3 to 6 ---------------------------------------------------------------------

# Up to this many people groups of 3 to 6 are formed by exact search.
EXACT_GROUP_LIMIT = 12
# Groups of 3 to 6 hold every pair's score at once, a few n×n matrices of floats (measured at 4,000 people
# in triads: 29 s and 690 MB on 2 cores); beyond, the roster is refused with a hint to split it.
DENSE_GROUP_LIMIT = 4000
# Taken off the value of a group per forbidden pair in it: above any group's whole score (at most 21 × 100).
PENALTY = 10_000.0
# Kicks of the local search, and the seed that picks them: the same roster always gives the same groups.
KICKS = 2000
KICK_SWAPS = 3
SEED = 20260901
_EPS = 1e-9


def group_sizes(n: int, size: int) -> list[int] | None:
    """Return the sizes of the groups `n` people form at `size`: `n % size` of them one larger, the
    larger first; None if that cannot be done (fewer people than `size`, or more left over than groups)."""
    count, extra = divmod(n, size)
    if count == 0 or extra > count:
        return None
    return [size + 1] * extra + [size] * (count - extra)


def _check_group_count(people: Sequence[Person], size: int, roster_name: str) -> None:
    n = len(people)
    if group_sizes(n, size) is not None:
        return
    count, extra = divmod(n, size)
    noun = "person" if n == 1 else "people"
    if count == 0:
        message = f"the roster lists {n} {noun}, fewer than `matching.group_size` ({size})"
    else:
        message = (f"the roster lists {n} people: {count} group{'s' if count != 1 else ''} of {size} cannot take "
                   f"the {extra} left over, as a group is at most one larger than `matching.group_size`")
    line = max((p.line for p in people), default=0)
    raise InputError([Problem(roster_name, line, 1 if line else 0, message,
                              hint="add or remove people, or choose another `matching.group_size` in program.yaml")])


def _dense_groups(roster: _Roster) -> tuple[np.ndarray, np.ndarray]:
    """Return every pair's score and whether it is allowed, refusing a roster too large to hold them."""
    if roster.n > DENSE_GROUP_LIMIT:
        line = max(p.line for p in roster.people)
        raise InputError([Problem(roster.roster_name, line, 1, f"the roster lists {roster.n} people; groups "
                                  f"larger than pairs are formed for at most {DENSE_GROUP_LIMIT} at a time",
                                  hint="split the roster, e.g. by site or department, and match each part")])
    return roster.dense()


def _partition_total(score: np.ndarray, groups: Sequence[Sequence[int]]) -> float:
    """Return the sum, over the groups, of the scores of every pair in a group."""
    return float(sum(score[a, b] for group in groups for a, b in itertools.combinations(group, 2)))


def _exact_partition(score: np.ndarray, allowed: np.ndarray, size: int,
                     larger: int) -> list[tuple[int, ...]] | None:
    """Return the best split of everyone into groups of `size`, `larger` of them one larger, that keeps
    every constraint, or None.

    Dynamic programming over the set of people left: the lowest of them opens the next group, so
    each split is reached once; the state also counts the larger groups still to form.
    """
    from functools import lru_cache

    n = len(score)
    bits = [sum(1 << j for j in range(n) if allowed[i, j]) for i in range(n)]

    @lru_cache(maxsize=None)
    def best(left: int, larger: int) -> tuple[float, tuple[tuple[int, ...], ...]] | None:
        if not left:
            return (0.0, ()) if larger == 0 else None
        first = (left & -left).bit_length() - 1
        rest = [j for j in range(first + 1, n) if left >> j & 1 and bits[first] >> j & 1]
        found: tuple[float, tuple[tuple[int, ...], ...]] | None = None
        for extra in ((0, 1) if larger else (0,)):
            for others in itertools.combinations(rest, size - 1 + extra):
                if not all(bits[a] >> b & 1 for a, b in itertools.combinations(others, 2)):
                    continue
                group = (first, *others)
                sub = best(left & ~sum(1 << j for j in group), larger - extra)
                if sub is None:
                    continue
                value = sub[0] + sum(score[a, b] for a, b in itertools.combinations(group, 2))
                if found is None or value > found[0] + _EPS:
                    found = (value, (group, *sub[1]))
        return found

    result = best((1 << n) - 1, larger)
    return list(result[1]) if result else None


def _greedy_partition(score: np.ndarray, allowed: np.ndarray, size: int) -> tuple[list[list[int]], list[int]]:
    """Return the greedy baseline's groups and the people it strands.

    Take the best allowed pair of free people, grow it by the free person who adds most to it (allowed
    with every member) until it has `size` members; when every group is formed, put each person left
    into the group of `size` they add most to. Ties go to the lower index.
    """
    n = len(score)
    count = n // size
    value = np.where(allowed, score, -np.inf)
    np.fill_diagonal(value, -np.inf)
    seeds = value.copy()  # pairs that may still open a group: a taken person's row and column become -inf
    free = np.ones(n, dtype=bool)
    best_j = np.argmax(seeds, axis=1)
    best_v = seeds[np.arange(n), best_j]
    groups: list[list[int]] = []
    while len(groups) < count:
        i = int(np.argmax(best_v))
        if best_v[i] == -np.inf:
            break
        group = [i, int(best_j[i])]
        while len(group) < size:
            gain = value[group].sum(axis=0)
            gain[~free] = -np.inf
            j = int(np.argmax(gain))
            if gain[j] == -np.inf:
                break
            group.append(j)
        if len(group) < size:  # no one may join this pair: it opens no group
            a, b = group[:2]
            seeds[a, b] = seeds[b, a] = -np.inf
            stale = np.array([a, b], dtype=np.intp)
        else:
            groups.append(group)
            free[group] = False
            seeds[group, :] = -np.inf
            seeds[:, group] = -np.inf
            best_v[group] = -np.inf
            stale = np.flatnonzero(np.isin(best_j, group) & free)
        if len(stale):
            best_j[stale] = np.argmax(seeds[stale], axis=1)
            best_v[stale] = seeds[stale, best_j[stale]]
    placed = np.zeros(n, dtype=bool)
    for group in groups:
        placed[group] = True
    stranded: list[int] = []
    full = len(groups) == count
    for u in np.flatnonzero(~placed).tolist():
        gains = [(sum(score[u, m] for m in g), -k) for k, g in enumerate(groups)
                 if full and len(g) == size and all(allowed[u, m] for m in g)]
        if gains:
            groups[-max(gains)[1]].append(u)
        else:
            stranded.append(u)
    return groups, stranded


class _Partition:
    """People split into groups, with each person's summed value towards every group, under local search."""

    def __init__(self, value: np.ndarray, groups: Sequence[Sequence[int]], size: int) -> None:
        self.value = value  # pair values, 0 on the diagonal
        self.size = size
        n = len(value)
        self.label = np.empty(n, dtype=np.intp)
        for a, group in enumerate(groups):
            self.label[list(group)] = a
        self.count = len(groups)
        self.sizes = np.bincount(self.label, minlength=self.count)
        self.towards = self._towards()
        self.journal: list[tuple[int, int, int]] = []  # (u, v, -1) for a swap, (u, -1, group left) for a move

    def _towards(self) -> np.ndarray:
        """Return, for every person and group, the sum of the person's values with the group's members."""
        onehot = np.zeros((len(self.label), self.count))
        onehot[np.arange(len(self.label)), self.label] = 1.0
        return self.value @ onehot

    def total(self) -> float:
        """Return the summed value of every pair within a group."""
        return float(self.towards[np.arange(len(self.label)), self.label].sum() / 2)

    def groups(self) -> list[list[int]]:
        """Return the groups, each its members in order."""
        members: list[list[int]] = [[] for _ in range(self.count)]
        for person, group in enumerate(self.label.tolist()):
            members[group].append(person)
        return members

    def swap(self, u: int, v: int) -> None:
        """Put u in v's group and v in u's."""
        a, b = int(self.label[u]), int(self.label[v])
        self.towards[:, a] += self.value[:, v] - self.value[:, u]
        self.towards[:, b] += self.value[:, u] - self.value[:, v]
        self.label[u], self.label[v] = b, a
        self.journal.append((u, v, -1))

    def move(self, u: int, b: int) -> None:
        """Put u in group b."""
        a = int(self.label[u])
        self.towards[:, a] -= self.value[:, u]
        self.towards[:, b] += self.value[:, u]
        self.label[u] = b
        self.sizes[a] -= 1
        self.sizes[b] += 1
        self.journal.append((u, -1, a))

    def undo(self, mark: int) -> None:
        """Undo every swap and move since the journal had `mark` entries."""
        while len(self.journal) > mark:
            u, v, a = self.journal.pop()
            if v >= 0:
                self.swap(u, v)
            else:
                self.move(u, a)
            self.journal.pop()

    def descend(self, dirty: set[int] | None = None) -> None:
        """Apply improving swaps and moves until none is left.

        Only swaps with someone in a group that changed (`dirty`; every group at first) can have
        started to gain. Their gains are computed at once, and a batch of the best that touch
        disjoint groups is applied together (their gains do not depend on each other).
        """
        n = len(self.label)
        everyone = np.arange(n)
        while True:
            own = self.towards[everyone, self.label]
            rows = everyone if dirty is None else np.flatnonzero(np.isin(self.label, sorted(dirty)))
            # Swapping u and v: each joins the other's group, less their own pair.
            gain = (self.towards[rows][:, self.label] + self.towards[:, self.label[rows]].T
                    - own[rows, None] - own[None, :] - 2 * self.value[rows])
            gain[self.label[rows, None] == self.label[None, :]] = -np.inf
            moves: list[tuple[float, int, int, int]] = []  # (-gain, kind, person, person or group)
            cells = np.flatnonzero(gain > _EPS)
            limit = 4 * self.count  # a batch touches each group once at most: more are never applied
            if len(cells) > limit:
                cells = cells[np.argpartition(-gain.reshape(-1)[cells], limit)[:limit]]
            for cell in cells.tolist():
                r, v = divmod(cell, n)
                u = int(rows[r])
                moves.append((-float(gain[r, v]), 0, min(u, v), max(u, v)))
            larger = np.flatnonzero(self.sizes[self.label] > self.size)
            if len(larger):
                shift = self.towards[larger] - own[larger, None]
                shift[:, self.sizes != self.size] = -np.inf
                for r, b in zip(*np.nonzero(shift > _EPS)):
                    moves.append((-float(shift[r, b]), 1, int(larger[r]), int(b)))
            if not moves:
                return
            moves.sort()
            dirty = set()
            for _gain, kind, u, x in moves:
                a, b = int(self.label[u]), (int(self.label[x]) if kind == 0 else x)
                if a in dirty or b in dirty:
                    continue
                dirty.update((a, b))
                if kind == 0:
                    self.swap(u, x)
                else:
                    self.move(u, b)

    def kick(self, rng: np.random.Generator, swaps: int) -> set[int]:
        """Swap a few random people of different groups (the sizes stay); return the groups changed."""
        changed: set[int] = set()
        for _ in range(swaps):
            u, v = (int(x) for x in rng.choice(len(self.label), 2, replace=False))
            if self.label[u] != self.label[v]:
                changed.update((int(self.label[u]), int(self.label[v])))
                self.swap(u, v)
        return changed


def _local_search(value: np.ndarray, groups: Sequence[Sequence[int]], size: int) -> list[list[int]]:
    """Return the groups after local search from `groups`: descent, then seeded kicks kept when they pay."""
    state = _Partition(value, groups, size)
    state.descend()
    best = state.total()
    rng = np.random.default_rng(SEED)
    for _kick in range(KICKS if state.count > 1 else 0):
        state.journal.clear()
        state.descend(state.kick(rng, KICK_SWAPS))
        total = state.total()
        if total > best + _EPS:
            best = total
        else:
            state.undo(0)
    return state.groups()


def _match_groups(roster: _Roster, size: int, with_greedy: bool) -> MatchResult:
    """Return the best grouping of the roster into groups of `size` (some one larger), every pair allowed."""
    n, people = roster.n, roster.people
    sizes = group_sizes(n, size)
    assert sizes is not None  # checked before the roster was scored
    score, allowed = _dense_groups(roster)
    seed, stranded = _greedy_partition(score, allowed, size)
    greedy_total = _partition_total(score, seed) if with_greedy and not stranded else None
    if n <= EXACT_GROUP_LIMIT:
        found = _exact_partition(score, allowed, size, sizes.count(size + 1))
        if found is None:
            raise InputError([Problem(roster.roster_name, 0, 0, f"no split of these {n} people into groups of "
                                      f"{' + '.join(map(str, sizes))} keeps every constraint",
                                      hint="relax a constraint under `matching.constraints` in program.yaml, "
                                      "or choose another `matching.group_size`")])
        groups = [list(g) for g in found]
    else:
        if stranded:  # fill the seed's gaps anyhow: the search repairs what this breaks
            seed = _fill(seed, stranded, sizes)
        value = np.where(allowed, score, score - PENALTY)
        np.fill_diagonal(value, 0.0)
        groups = _local_search(value, seed, size)
        broken = sorted({x for g in groups for a, b in itertools.combinations(g, 2) if not allowed[a, b]
                         for x in (a, b)})
        if broken:
            raise _fail([(people[i].line, f"{people[i].id} ({people[i].name}) could not be placed in a group "
                                          f"of {size} where every pair keeps the constraints") for i in broken],
                        roster.roster_name,
                        "relax a constraint under `matching.constraints`, or match these people by hand")
    built = sorted((roster.scorer.group(g) for g in groups), key=lambda g: g.members[0].id)
    return MatchResult(tuple(built), _partition_total(score, groups), n * (n - 1) // 2,
                       int(roster.allowed.sum()) // 2, roster.removed, 0, greedy_total)


def _fill(groups: list[list[int]], stranded: list[int], sizes: Sequence[int]) -> list[list[int]]:
    """Return `groups` with the stranded people added, in order, to reach `sizes` (groups added if need be)."""
    groups = [list(g) for g in groups] + [[] for _ in range(len(sizes) - len(groups))]
    groups.sort(key=len, reverse=True)
    left = list(stranded)
    for group, target in zip(groups, sorted(sizes, reverse=True)):
        while len(group) < target and left:
            group.append(left.pop(0))
    return groups
