"""How a program covers the recognised standards of mentoring practice, pure.

MENTOR's Elements of Effective Practice for Mentoring (4th ed.) has six standards; EMCC's
programme standards add clarity of purpose, participants' say in matching, a way to unwind a
match, measurement and review, and ethics. Each standard is checked against what the program
states, in structure rather than words: implementation steps name their `stages` and
confidentiality limits their `kind`, so a program in any language is judged alike. A program
written before those fields existed (no step has stages, no limit a kind) is still read for
English words, as before, so its coverage does not silently turn to "missing".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from handbook.model import Program

Status = Literal["met", "partial", "missing"]

MIN_TRAINING_HOURS = 2.0  # MENTOR: at least two hours of training before matching
FIRST_MONTH_WEEKS = 5  # contacts in weeks 0..5 count as the first month


@dataclass(frozen=True)
class Coverage:
    """One standard: who sets it, how the program covers it, and what is missing."""

    body: str  # "MENTOR" or "EMCC"
    standard: str
    status: Status
    evidence: tuple[str, ...]
    gaps: tuple[str, ...]


def _steps_in(program: Program, stage: str, *words: str) -> list[str]:
    """Return the implementation steps of `stage`; without any stages in the program, those mentioning `words`."""
    if any(step.stages for step in program.implementation):
        return [f"implementation step “{step.title}”" for step in program.implementation if stage in step.stages]
    return _mentions(program, *words)


def _has_limit(program: Program, kind: str, pattern: str) -> bool:
    """Return whether a limit is of `kind`; without any kinds in the program, whether one's text matches `pattern`."""
    limits = program.confidentiality.limits
    if any(limit.kind for limit in limits):
        return any(limit.kind == kind for limit in limits)
    return any(re.search(pattern, f"{limit.title} {limit.description}", re.I) for limit in limits)


def _mentions(program: Program, *words: str) -> list[str]:
    """Return the titles of implementation steps and roles whose text mentions any of `words` (English only)."""
    pattern = re.compile(r"\b(" + "|".join(words) + r")", re.I)
    found = []
    for step in program.implementation:
        text = " ".join([step.id, step.title, step.description, *step.actions])
        if pattern.search(text):
            found.append(f"implementation step “{step.title}”")
    for role in program.overview.roles:
        if pattern.search(" ".join([role.description, *role.responsibilities])):
            found.append(f"role “{role.title}”")
    return found


def _status(gaps: list[str], evidence: list[str]) -> Status:
    if not gaps:
        return "met"
    return "partial" if evidence else "missing"


def _coverage(body: str, standard: str, evidence: list[str], gaps: list[str]) -> Coverage:
    return Coverage(body, standard, _status(gaps, evidence), tuple(evidence), tuple(gaps))


def assess(program: Program) -> list[Coverage]:
    """Return the coverage of every MENTOR and EMCC standard by `program`."""
    results: list[Coverage] = []

    found = _steps_in(program, "recruitment", "recruit", "application", "apply", "nominat")
    results.append(_coverage("MENTOR", "Recruitment", found,
                             [] if found else ["no implementation step describes how participants are recruited "
                                               "(mark it with `stages: [recruitment]`)"]))
    found = _steps_in(program, "screening", "screen", "eligib", "suitab")
    results.append(_coverage("MENTOR", "Screening", found,
                             [] if found else ["no implementation step describes screening: who is eligible and how "
                                               "suitability is checked (mark it with `stages: [screening]`)"]))

    before = program.training_hours("before-matching")
    after = program.training_hours("after-matching")
    evidence = [f"{before:g} h of training before matching, {after:g} h during the relationship"]
    gaps = [] if before >= MIN_TRAINING_HOURS else [
        f"only {before:g} h of training before matching; at least {MIN_TRAINING_HOURS:g} h are expected"]
    results.append(_coverage("MENTOR", "Training", evidence, gaps))

    matching = program.matching
    evidence = [f"{len(matching.criteria)} matching criteria"]
    gaps = []
    rules = matching.constraints
    if rules.different_manager:
        evidence.append("no one is matched within their reporting line")
    else:
        gaps.append("partners may share a manager; matching within a reporting line undermines openness")
    if program.confidentiality.clauses:
        evidence.append("a signed agreement starts each relationship")
    results.append(_coverage("MENTOR", "Matching and initiating", evidence, gaps))

    checks = sorted(program.monitoring.check_ins, key=lambda c: c.week)
    early = [c for c in checks if c.week <= FIRST_MONTH_WEEKS]
    evidence = [f"check-ins in weeks {', '.join(str(c.week) for c in checks)}"]
    gaps = []
    if len(early) < 2:
        gaps.append(f"{len(early)} check-in{'s' if len(early) != 1 else ''} in the first month; two are expected")
    if program.monitoring.monthly_after:
        evidence.append("monthly contact after the first month")
    else:
        later = [c.week for c in checks if c.week > FIRST_MONTH_WEEKS]
        weeks = [FIRST_MONTH_WEEKS] + later + [round(program.program.duration_months * 52 / 12)]
        if any(b - a > 5 for a, b in zip(weeks, weeks[1:])):
            gaps.append("no monthly contact after the first month (set `monitoring.monthly_after: true`)")
    results.append(_coverage("MENTOR", "Monitoring and support", evidence, gaps))

    closure = program.closure
    evidence = ["planned and unplanned closure described"]
    gaps = []
    if len(closure.rematching.split()) < 8:
        gaps.append("the rematching policy is too short to act on")
    else:
        evidence.append("rematching policy")
    results.append(_coverage("MENTOR", "Closure", evidence, gaps))

    goals_with_targets = [g for g in program.goals if g.measures]
    results.append(_coverage("EMCC", "Clarity of purpose",
                             [f"{len(program.goals)} goals, {sum(len(g.measures) for g in goals_with_targets)} "
                              "measures with targets"], []))
    evidence = [f"{len(matching.participant_input)} ways participants understand and influence their match"] \
        if matching.participant_input else []
    results.append(_coverage("EMCC", "Participants understand and influence matching", evidence,
                             [] if evidence else ["`matching.participant_input` is empty: say how participants "
                                                  "see the criteria and can ask for a different match"]))
    evidence = ["no-fault exit", "rematching"]
    results.append(_coverage("EMCC", "A way to unwind a match", evidence,
                             [] if len(closure.no_fault_exit.split()) >= 8 else ["the no-fault exit is too short "
                                                                                 "to act on"]))
    monitoring = program.monitoring
    evidence = [f"{len(monitoring.measures)} measures", f"{len(monitoring.feedback)} feedback channels",
                f"program review by {program.program.review_date}"]
    results.append(_coverage("EMCC", "Measurement and review", evidence, []))
    confidentiality = program.confidentiality
    evidence = [f"{len(confidentiality.limits)} limits to confidentiality",
                f"{len(confidentiality.breach_consequences)} consequences of a breach"]
    gaps = []
    if not _has_limit(program, "harm", r"harm"):
        gaps.append("no limit to confidentiality for a risk of harm (a limit with `kind: harm`)")
    if not _has_limit(program, "legal-duty", r"\b(law|legal|regulat|court)"):
        gaps.append("no limit to confidentiality for a legal duty (a limit with `kind: legal-duty`)")
    if not monitoring.never_reported:
        gaps.append("`monitoring.never_reported` is empty: say that evaluation never reports session content "
                    "or an individual's performance")
    else:
        evidence.append("evaluation never reports session content")
    results.append(_coverage("EMCC", "Ethics", evidence, gaps))
    return results
