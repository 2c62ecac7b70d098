"""Match peers: score every allowed pair, then maximum-weight matching (blossom), one triad if odd.

Pure: people and the program's matching policy in, groups and figures out. A person who cannot be
placed is never dropped: the match fails with who it is and which constraints block them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from .errors import InputError, Problem
from .model import Matching
from .roster import Person

# Up to this many people every allowed pair is an edge; above it each person keeps their best
# CANDIDATES partners (the benchmark measures what that costs in score).
FULL_GRAPH_LIMIT = 120
CANDIDATES = 10
# Up to this many people an odd roster's triad is placed exactly (every leftover, every host pair).
EXACT_TRIAD_LIMIT = 13
SCALE = 1_000_000  # blossom works on integers: scores are scaled, not rounded to whole points

CONSTRAINT_NAMES = {
    "manager": "same manager or reporting line",
    "department": "same department",
    "timezone": "time-zone gap",
    "previous": "previous partners",
}


@dataclass(frozen=True)
class Group:
    """A pair or a triad, with its score (0-100) and each criterion's share of it."""

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

    @property
    def mean(self) -> float:
        return self.total / len(self.groups) if self.groups else 0.0

    @property
    def lowest(self) -> Group:
        return min(self.groups, key=lambda g: (g.score, g.members[0].id))


_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.I)


def utc_offset(zone: str, when: dt.date) -> float | None:
    """Return the UTC offset in hours of a zone name or offset text on `when`, or None if unknown."""
    text = zone.strip()
    if text.upper() in {"UTC", "GMT", "Z"}:
        return 0.0
    match = _OFFSET.match(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return sign * (int(match.group(2)) + int(match.group(3) or 0) / 60)
    try:
        info = ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    noon = dt.datetime.combine(when, dt.time(12), info)
    offset = noon.utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else None


class Scorer:
    """Scores of every pair of people under a policy, per criterion, as matrices."""

    def __init__(self, people: Sequence[Person], policy: Matching) -> None:
        self.people = list(people)
        self.policy = policy
        total_weight = sum(c.weight for c in policy.criteria)
        n = len(people)
        self.parts: list[tuple[str, np.ndarray]] = []
        score = np.zeros((n, n), dtype=np.float64)
        for criterion in policy.criteria:
            fit = self._fit(criterion.column, criterion.prefer)
            points = 100.0 * criterion.weight / total_weight * fit
            self.parts.append((criterion.column, points))
            score += points
        np.fill_diagonal(score, 0.0)
        self.score = score

    def _fit(self, column: str, prefer: str) -> np.ndarray:
        """Return a matrix of 0..1: how well each pair fits on one column."""
        raw = [p.attributes.get(column, "").strip() for p in self.people]
        numbers = [_number(v) for v in raw]
        present = np.array([bool(v) for v in raw])
        both = np.outer(present, present)
        if all(x is not None for x, v in zip(numbers, raw) if v) and any(raw):
            values = np.array([x if x is not None else 0.0 for x in numbers])
            span = float(values[present].max() - values[present].min()) or 1.0
            distance = np.abs(values[:, None] - values[None, :]) / span
            fit = 1.0 - distance if prefer == "similar" else distance
        else:
            sets = [p.values(column) for p in self.people]
            vocabulary = sorted(set().union(*sets))
            index = {v: i for i, v in enumerate(vocabulary)}
            x = np.zeros((len(sets), max(len(vocabulary), 1)), dtype=np.float64)
            for row, values in enumerate(sets):
                for v in values:
                    x[row, index[v]] = 1.0
            inter = x @ x.T
            sizes = x.sum(axis=1)
            union = sizes[:, None] + sizes[None, :] - inter
            jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
            fit = jaccard if prefer == "similar" else 1.0 - jaccard
        return np.where(both, fit, 0.0)

    def pair(self, i: int, j: int) -> float:
        return float(self.score[i, j])

    def group(self, members: Sequence[int]) -> Group:
        """Return the group of these people with its score: the mean of its pairs' scores."""
        pairs = list(itertools.combinations(members, 2))
        breakdown = tuple((column, round(float(np.mean([m[i, j] for i, j in pairs])), 2))
                          for column, m in self.parts)
        score = float(np.mean([self.score[i, j] for i, j in pairs]))
        people = tuple(sorted((self.people[k] for k in members), key=lambda p: p.id))
        return Group(people, score, breakdown)


def _number(value: str) -> float | None:
    try:
        return float(value.replace(",", ".")) if value else None
    except ValueError:
        return None


def _manager_keys(person: Person) -> set[str]:
    return {k.strip().lower() for k in (person.id, person.name, person.email) if k.strip()}


def constraint_masks(people: Sequence[Person], policy: Matching, when: dt.date,
                     previous: Iterable[frozenset[str]] = (), roster_name: str = "roster.csv"
                     ) -> dict[str, np.ndarray]:
    """Return, per constraint, a matrix that is True where that constraint forbids the pair."""
    n = len(people)
    rules = policy.constraints
    masks: dict[str, np.ndarray] = {}
    if rules.different_manager:
        managers = [p.manager.strip().lower() for p in people]
        keys = [_manager_keys(p) for p in people]
        mask = np.zeros((n, n), dtype=bool)
        for i in range(n):
            for j in range(i + 1, n):
                same = bool(managers[i]) and managers[i] == managers[j]
                line = managers[i] in keys[j] or managers[j] in keys[i]
                mask[i, j] = mask[j, i] = same or line
        masks["manager"] = mask
    if rules.different_department:
        departments = np.array([p.department.strip().lower() for p in people], dtype=object)
        masks["department"] = (departments[:, None] == departments[None, :]) & (departments[:, None] != "")
    if rules.max_timezone_gap_hours is not None:
        offsets = []
        problems = []
        for p in people:
            offset = utc_offset(p.timezone, when)
            if offset is None:
                problems.append(Problem(roster_name, p.line, 0, f"unknown time zone {p.timezone!r} for {p.id!r}",
                                        hint="write a zone such as Europe/Berlin, or an offset such as +01:00"))
            offsets.append(offset or 0.0)
        if problems:
            raise InputError(problems)
        values = np.array(offsets)
        masks["timezone"] = np.abs(values[:, None] - values[None, :]) > rules.max_timezone_gap_hours
    if rules.no_repeat_partners:
        index = {p.id: i for i, p in enumerate(people)}
        mask = np.zeros((n, n), dtype=bool)
        for group in previous:
            members = [index[m] for m in group if m in index]
            for i, j in itertools.combinations(members, 2):
                mask[i, j] = mask[j, i] = True
        masks["previous"] = mask
    return masks


def _blocked_message(i: int, people: Sequence[Person], masks: dict[str, np.ndarray]) -> tuple[int, str]:
    counts = [(CONSTRAINT_NAMES[name], int(mask[i].sum() - mask[i, i])) for name, mask in masks.items()]
    reasons = ", ".join(f"{what} rules out {count}" for what, count in counts if count)
    others = len(people) - 1
    return people[i].line, (f"{people[i].id} ({people[i].name}) has no allowed partner among {others} "
                            f"other {'person' if others == 1 else 'people'}: {reasons}")


def _blossom(nodes: Sequence[int], allowed: np.ndarray, score: np.ndarray,
             candidates: dict[int, set[int]] | None) -> list[tuple[int, int]]:
    """Return a maximum-cardinality, maximum-weight matching of `nodes` over allowed edges."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    members = set(nodes)
    for a in nodes:
        partners = candidates[a] if candidates is not None else members
        for b in sorted(partners):
            if b > a and b in members and allowed[a, b]:
                graph.add_edge(a, b, weight=int(round(score[a, b] * SCALE)) + 1)
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    return sorted(tuple(sorted(edge)) for edge in matching)


def _candidates(allowed: np.ndarray, score: np.ndarray, k: int) -> dict[int, set[int]]:
    """Return each person's best `k` allowed partners, made symmetric."""
    n = len(score)
    keep: dict[int, set[int]] = {i: set() for i in range(n)}
    masked = np.where(allowed, score, -1.0)
    for i in range(n):
        order = np.lexsort((np.arange(n), -masked[i]))
        best = [int(j) for j in order[:k] if masked[i, j] >= 0 and j != i]
        for j in best:
            keep[i].add(j)
            keep[j].add(i)
    return keep


def _triad_value(a: int, b: int, u: int, score: np.ndarray) -> float:
    return (score[a, b] + score[a, u] + score[b, u]) / 3


def _place_triad(pairs: list[tuple[int, int]], u: int, allowed: np.ndarray, score: np.ndarray) -> tuple[int, float]:
    """Return (index of the pair that best hosts u, gain in total score), or (-1, 0) if none may."""
    best, gain = -1, float("-inf")
    for k, (a, b) in enumerate(pairs):
        if allowed[a, u] and allowed[b, u]:
            delta = _triad_value(a, b, u, score) - score[a, b]
            if delta > gain:
                best, gain = k, delta
    return (best, gain) if best >= 0 else (-1, 0.0)


def _groups_total(pairs: list[tuple[int, int]], triad: tuple[int, int, int] | None, score: np.ndarray) -> float:
    total = sum(score[a, b] for a, b in pairs)
    if triad:
        total += _triad_value(*triad, score)
    return float(total)


def _fail(message_people: list[tuple[int, str]], roster_name: str, people: Sequence[Person], hint: str) -> InputError:
    return InputError([Problem(roster_name, line, 0, text, hint=hint) for line, text in message_people],
                      summary=f"{len(message_people)} participant{'s' if len(message_people) != 1 else ''} "
                              "could not be matched; nothing was written.")


def match(people: Sequence[Person], policy: Matching, *, when: dt.date,
          previous: Iterable[frozenset[str]] = (), roster_name: str = "roster.csv") -> MatchResult:
    """Return the best grouping of `people` into pairs (and one triad if their number is odd)."""
    people = sorted(people, key=lambda p: p.id)
    n = len(people)
    scorer = Scorer(people, policy)
    score = scorer.score
    masks = constraint_masks(people, policy, when, previous, roster_name)
    forbidden = np.zeros((n, n), dtype=bool)
    removed = []
    for name, mask in masks.items():
        fresh = mask & ~forbidden
        removed.append((CONSTRAINT_NAMES[name], int(np.triu(fresh, 1).sum())))
        forbidden |= mask
    allowed = ~forbidden
    np.fill_diagonal(allowed, False)
    lonely = [i for i in range(n) if not allowed[i].any()]
    if lonely:
        raise _fail([_blocked_message(i, people, masks) for i in lonely], roster_name, people,
                    "relax a constraint under `matching.constraints` in program.yaml, or match this person by hand")
    odd = n % 2 == 1
    if odd and not policy.allow_triad:
        raise InputError([Problem(roster_name, 0, 0, f"the roster lists {n} people, an odd number, and "
                                  "`matching.allow_triad` is false", hint="allow one triad, or add or remove a person")])
    candidates = _candidates(allowed, score, CANDIDATES) if n > FULL_GRAPH_LIMIT else None
    if odd and n <= EXACT_TRIAD_LIMIT:
        pairs, triad = _exact_odd(n, allowed, score)
    else:
        pairs = _blossom(list(range(n)), allowed, score, candidates)
        triad = None
        matched = {x for pair in pairs for x in pair}
        left = [i for i in range(n) if i not in matched]
        if candidates is not None and len(left) > (1 if odd else 0):
            # The pruned graph was too thin for these people: retry with every allowed pair.
            pairs = _blossom(list(range(n)), allowed, score, None)
            matched = {x for pair in pairs for x in pair}
            left = [i for i in range(n) if i not in matched]
        if odd and len(left) == 1:
            host, _gain = _place_triad(pairs, left[0], allowed, score)
            if host >= 0:
                a, b = pairs.pop(host)
                triad = (a, b, left[0])
                left = []
        if left:
            raise _fail([(people[i].line, f"{people[i].id} ({people[i].name}) could not be placed: every allowed "
                                          "partner is needed in another group") for i in left], roster_name, people,
                        "relax a constraint under `matching.constraints`, or match these people by hand")
    groups = [scorer.group(pair) for pair in pairs]
    if triad:
        groups.append(scorer.group(triad))
    groups.sort(key=lambda g: g.members[0].id)
    return MatchResult(tuple(groups), _groups_total(pairs, triad, score), n * (n - 1) // 2,
                       int(np.triu(allowed, 1).sum()), tuple(removed), CANDIDATES if candidates else 0)


def _exact_odd(n: int, allowed: np.ndarray, score: np.ndarray) -> tuple[list[tuple[int, int]], tuple[int, int, int]]:
    """Place the triad exactly: every possible triad, with the best matching of everyone else."""
    best: tuple[float, list[tuple[int, int]], tuple[int, int, int]] | None = None
    for trio in itertools.combinations(range(n), 3):
        if not all(allowed[a, b] for a, b in itertools.combinations(trio, 2)):
            continue
        rest = [i for i in range(n) if i not in trio]
        pairs = _blossom(rest, allowed, score, None)
        if len(pairs) * 2 != len(rest):
            continue
        total = _groups_total(pairs, trio, score)
        if best is None or total > best[0] + 1e-9:
            best = (total, pairs, trio)
    if best is None:
        raise InputError([Problem("roster", 0, 0, "no grouping into pairs and one triad satisfies the constraints",
                                  hint="relax a constraint under `matching.constraints` in program.yaml")])
    return best[1], best[2]


def greedy(people: Sequence[Person], policy: Matching, *, when: dt.date,
           previous: Iterable[frozenset[str]] = ()) -> float | None:
    """Return the total score of the greedy baseline (best pair first), or None if it strands someone."""
    people = sorted(people, key=lambda p: p.id)
    n = len(people)
    scorer = Scorer(people, policy)
    score = scorer.score
    forbidden = np.zeros((n, n), dtype=bool)
    for mask in constraint_masks(people, policy, when, previous).values():
        forbidden |= mask
    edges = sorted(((score[a, b], a, b) for a in range(n) for b in range(a + 1, n) if not forbidden[a, b]),
                   key=lambda e: (-e[0], e[1], e[2]))
    free = set(range(n))
    pairs: list[tuple[int, int]] = []
    for _value, a, b in edges:
        if a in free and b in free:
            pairs.append((a, b))
            free -= {a, b}
    allowed = ~forbidden
    triad = None
    if len(free) == 1 and n % 2 == 1:
        u = free.pop()
        host, _gain = _place_triad(pairs, u, allowed, score)
        if host < 0:
            return None
        a, b = pairs.pop(host)
        triad = (a, b, u)
    if free:
        return None
    return _groups_total(pairs, triad, score)
