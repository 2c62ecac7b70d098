"""How a program covers the recognised standards of mentoring practice, pure.

MENTOR's Elements of Effective Practice for Mentoring (4th ed.) has six standards; EMCC's
programme standards add clarity of purpose, participants' say in matching, a way to unwind a
match, measurement and review, and ethics. Each standard is checked against what the program
states, in structure rather than words: implementation steps name their `stages` and
confidentiality limits their `kind`, so a program in any language is judged alike. A program
written before those fields existed (no step has stages, no limit a kind) is still read for
English words, as before, so its coverage does not silently turn to "missing".

Every word of the assessment (standards' names, evidence, gaps) is a message of the catalog, in the
language of the work in progress: the site's About page shows participants the standards the program
covers and how (`covered`); what is missing is the coordinator's to-do list, shown by `handbook
check --standards` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from handbook.i18n import N_, _, current, ngettext, pgettext
from handbook.model import Program

Status = Literal["met", "partial", "missing"]
# How each status reads in a report (translate with `_()` where shown).
STATUS_LABELS: dict[str, str] = {"met": N_("Covered"), "partial": N_("Partly covered"), "missing": N_("Missing")}

MIN_TRAINING_HOURS = 2.0  # MENTOR: at least two hours of training before matching
FIRST_MONTH_WEEKS = 5  # contacts in weeks 0..5 count as the first month


@dataclass(frozen=True)
class Coverage:
    """One standard: who sets it, how the program covers it, and what is missing."""

    body: str  # "MENTOR" or "EMCC"
    standard: str  # its name, in the language of the work in progress
    status: Status
    evidence: tuple[str, ...]
    gaps: tuple[str, ...]


def _steps_in(program: Program, stage: str, *words: str) -> list[str]:
    """Return the implementation steps of `stage`; without any stages in the program, those mentioning `words`."""
    if any(step.stages for step in program.implementation):
        return [_("implementation step “%(title)s”", title=step.title) for step in program.implementation
                if stage in step.stages]
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
            found.append(_("implementation step “%(title)s”", title=step.title))
    for role in program.overview.roles:
        if pattern.search(" ".join([role.description, *role.responsibilities])):
            found.append(_("role “%(title)s”", title=role.title))
    return found


def _status(gaps: list[str], evidence: list[str]) -> Status:
    if not gaps:
        return "met"
    return "partial" if evidence else "missing"


def _coverage(body: str, standard: str, evidence: list[str], gaps: list[str]) -> Coverage:
    return Coverage(body, standard, _status(gaps, evidence), tuple(evidence), tuple(gaps))


def covered(results: list[Coverage]) -> list[Coverage]:
    """Return the standards the program covers, fully or in part, for participants: each with its evidence."""
    return [item for item in results if item.evidence]


def assess(program: Program) -> list[Coverage]:
    """Return the coverage of every MENTOR and EMCC standard by `program`, in the current language."""
    words = current()
    results: list[Coverage] = []

    found = _steps_in(program, "recruitment", "recruit", "application", "apply", "nominat")
    results.append(_coverage("MENTOR", pgettext("mentoring standard", "Recruitment"), found,
                             [] if found else [_("no implementation step describes how participants are recruited "
                                                 "(mark it with %(setting)s)", setting="`stages: [recruitment]`")]))
    found = _steps_in(program, "screening", "screen", "eligib", "suitab")
    results.append(_coverage("MENTOR", pgettext("mentoring standard", "Screening"), found,
                             [] if found else [_("no implementation step describes screening: who is eligible and "
                                                 "how suitability is checked (mark it with %(setting)s)",
                                                 setting="`stages: [screening]`")]))

    before = program.training_hours("before-matching")
    after = program.training_hours("after-matching")
    evidence = [_("%(before)s of training before matching, %(after)s during the relationship",
                  before=words.hours(before), after=words.hours(after)) if after else
                _("%(hours)s of training before matching", hours=words.hours(before))]
    gaps = [] if before >= MIN_TRAINING_HOURS else [
        _("only %(hours)s of training before matching; at least %(minimum)s are expected",
          hours=words.hours(before), minimum=words.hours(MIN_TRAINING_HOURS))]
    results.append(_coverage("MENTOR", pgettext("mentoring standard", "Training"), evidence, gaps))

    matching = program.matching
    evidence = [ngettext("%(num)s matching criterion", "%(num)s matching criteria", len(matching.criteria))]
    gaps = []
    rules = matching.constraints
    if rules.different_manager:
        evidence.append(_("no one is matched within their reporting line"))
    else:
        gaps.append(_("members of a group may share a manager; matching within a reporting line undermines "
                      "openness"))
    if program.confidentiality.clauses:
        evidence.append(_("a signed agreement starts each relationship"))
    results.append(_coverage("MENTOR", pgettext("mentoring standard", "Matching and initiating"), evidence, gaps))

    checks = sorted(program.monitoring.check_ins, key=lambda c: c.week)
    early = [c for c in checks if c.week <= FIRST_MONTH_WEEKS]
    evidence = [ngettext("check-in in week %(weeks)s", "check-ins in weeks %(weeks)s", len(checks),
                         weeks=words.list(words.number(c.week) for c in checks))] if checks else []
    gaps = []
    if len(early) < 2:
        gaps.append(ngettext("%(num)s check-in in the first month; two are expected",
                             "%(num)s check-ins in the first month; two are expected", len(early)))
    if program.monitoring.monthly_after:
        evidence.append(_("monthly contact after the first month"))
    else:
        later = [c.week for c in checks if c.week > FIRST_MONTH_WEEKS]
        weeks = [FIRST_MONTH_WEEKS] + later + [round(program.program.duration_months * 52 / 12)]
        if any(b - a > 5 for a, b in zip(weeks, weeks[1:])):
            gaps.append(_("no monthly contact after the first month (set %(setting)s)",
                          setting="`monitoring.monthly_after: true`"))
    results.append(_coverage("MENTOR", pgettext("mentoring standard", "Monitoring and support"), evidence, gaps))

    closure = program.closure
    evidence = [_("planned and unplanned closure described")]
    gaps = []
    if len(closure.rematching.split()) < 8:
        gaps.append(_("the rematching policy is too short to act on"))
    else:
        evidence.append(_("rematching policy"))
    results.append(_coverage("MENTOR", pgettext("mentoring standard", "Closure"), evidence, gaps))

    goals_with_targets = [g for g in program.goals if g.measures]
    measures = sum(len(g.measures) for g in goals_with_targets)
    results.append(_coverage("EMCC", pgettext("mentoring standard", "Clarity of purpose"),
                             [ngettext("%(num)s goal", "%(num)s goals", len(program.goals)),
                              ngettext("%(num)s measure with a target", "%(num)s measures with targets", measures)],
                             []))
    ways = len(matching.participant_input)
    evidence = [ngettext("%(num)s way participants understand and influence their match",
                         "%(num)s ways participants understand and influence their match", ways)] if ways else []
    results.append(_coverage("EMCC", pgettext("mentoring standard", "Participants understand and influence matching"), evidence,
                             [] if evidence else [_("%(setting)s is empty: say how participants see the criteria "
                                                    "and can ask for a different match",
                                                    setting="`matching.participant_input`")]))
    evidence = [_("no-fault exit"), _("rematching")]
    results.append(_coverage("EMCC", pgettext("mentoring standard", "A way to unwind a match"), evidence,
                             [] if len(closure.no_fault_exit.split()) >= 8 else [_("the no-fault exit is too short "
                                                                                   "to act on")]))
    monitoring = program.monitoring
    evidence = [ngettext("%(num)s measure", "%(num)s measures", len(monitoring.measures)),
                ngettext("%(num)s feedback channel", "%(num)s feedback channels", len(monitoring.feedback)),
                _("program review by %(date)s", date=words.date(program.program.review_date))]
    results.append(_coverage("EMCC", pgettext("mentoring standard", "Measurement and review"), evidence, []))
    confidentiality = program.confidentiality
    evidence = [ngettext("%(num)s limit to confidentiality", "%(num)s limits to confidentiality",
                         len(confidentiality.limits)),
                ngettext("%(num)s consequence of a breach", "%(num)s consequences of a breach",
                         len(confidentiality.breach_consequences))]
    gaps = []
    if not _has_limit(program, "harm", r"harm"):
        gaps.append(_("no limit to confidentiality for a risk of harm (a limit with %(setting)s)",
                      setting="`kind: harm`"))
    if not _has_limit(program, "legal-duty", r"\b(law|legal|regulat|court)"):
        gaps.append(_("no limit to confidentiality for a legal duty (a limit with %(setting)s)",
                      setting="`kind: legal-duty`"))
    if not monitoring.never_reported:
        gaps.append(_("%(setting)s is empty: say that evaluation never reports session content or an "
                      "individual's performance", setting="`monitoring.never_reported`"))
    else:
        evidence.append(_("evaluation never reports session content"))
    results.append(_coverage("EMCC", pgettext("mentoring standard", "Ethics"), evidence, gaps))
    return results

