"""The standards check names what a program lacks against MENTOR's and EMCC's standards."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, run_cli

from handbook.layout import Layout
from handbook.load.project import load_program
from handbook.model import CheckIn, ImplementationStep, Limit
from handbook.plan.standards import assess

EXAMPLE = load_program(Layout(ROOT))


def by_name(program) -> dict[str, object]:
    return {c.standard: c for c in assess(program)}


def test_example_covers_every_standard() -> None:
    results = assess(EXAMPLE)
    assert [c.standard for c in results if c.body == "MENTOR"] == [
        "Recruitment", "Screening", "Training", "Matching and initiating", "Monitoring and support", "Closure"]
    assert len([c for c in results if c.body == "EMCC"]) == 5
    assert all(c.status == "met" for c in results), [(c.standard, c.gaps) for c in results if c.gaps]


def test_too_little_training_before_matching_is_named() -> None:
    modules = tuple(m.model_copy(update={"timing": "after-matching"}) if m.hours > 0.5 else m
                    for m in EXAMPLE.training.modules)
    program = EXAMPLE.model_copy(update={"training": EXAMPLE.training.model_copy(update={"modules": modules})})
    training = by_name(program)["Training"]
    assert training.status == "partial"
    assert "only 0.5 hours of training before matching; at least 2 hours are expected" in training.gaps


def test_missing_first_month_check_ins_and_monthly_contact_are_named() -> None:
    monitoring = EXAMPLE.monitoring.model_copy(update={
        "check_ins": (CheckIn(id="mid", title="Mid-point", week=12, format="call", questions=("How is it?",)),),
        "monthly_after": False})
    result = by_name(EXAMPLE.model_copy(update={"monitoring": monitoring}))["Monitoring and support"]
    assert "0 check-ins in the first month; two are expected" in result.gaps
    assert any("no monthly contact" in gap for gap in result.gaps)


def test_missing_limits_and_reporting_line_rule_are_named() -> None:
    limits = tuple(l for l in EXAMPLE.confidentiality.limits if "harm" not in (l.title + l.description).lower())
    program = EXAMPLE.model_copy(update={
        "confidentiality": EXAMPLE.confidentiality.model_copy(update={"limits": limits}),
        "matching": EXAMPLE.matching.model_copy(update={
            "constraints": EXAMPLE.matching.constraints.model_copy(update={"different_manager": False})})})
    results = by_name(program)
    assert "no limit to confidentiality for a risk of harm (a limit with `kind: harm`)" in results["Ethics"].gaps
    assert results["Matching and initiating"].status == "partial"


def test_check_standards_prints_the_coverage_table(small_project: Path) -> None:
    result = run_cli("check", "--standards", "--project", small_project)
    assert result.exit_code == 0
    assert "Standards of mentoring practice" in result.stdout
    assert "Recruitment" in result.stdout and "Missing" in result.stdout
    assert "gaps to close" in result.stdout


def test_about_page_shows_participants_what_is_covered_and_no_coordinator_to_dos(small_project: Path) -> None:
    from handbook.commands.stage import load
    from handbook.render.site import render_site

    page = render_site(load(small_project)).pages["about.md"]
    assert "| Training | MENTOR | 2 hours of training before matching |" in page
    # What is missing is the coordinator's to-do list (`handbook check --standards`), not the participants'.
    assert "| Recruitment |" not in page
    assert "Missing" not in page and "To do" not in page and "`" not in page


def german(limits: tuple[Limit, ...], steps: tuple[ImplementationStep, ...]):  # type: ignore[no-untyped-def]
    """Return the example with German-worded confidentiality limits and implementation steps."""
    return EXAMPLE.model_copy(update={
        "confidentiality": EXAMPLE.confidentiality.model_copy(update={"limits": limits}),
        "implementation": steps})


LIMITS = (
    Limit(id="patientensicherheit", title="Patientensicherheit", kind="harm",
          description="Ist ein Patient oder eine Kollegin gefährdet, informieren wir die Koordination."),
    Limit(id="meldepflicht", title="Meldepflicht", kind="legal-duty",
          description="Was das Gesetz zu melden verlangt, melden wir."),
)
STEPS = (
    ImplementationStep(id="ausschreibung", title="Ausschreibung und Auswahl", stages=("recruitment", "screening"),
                       description="Stationsleitungen bewerben sich; die Pflegedirektion prüft die Eignung.",
                       actions=("Ausschreibung im Intranet",), owner="coordinator", when="acht Wochen vorher"),
    ImplementationStep(id="zusammenstellung", title="Triaden bilden", stages=("matching",),
                       description="Wir bilden Triaden aus verschiedenen Häusern.",
                       actions=("Fragebogen auswerten",), owner="coordinator", when="vier Wochen vorher"),
)


def test_a_german_program_with_kinds_and_stages_is_covered() -> None:
    results = by_name(german(LIMITS, STEPS))
    assert results["Recruitment"].status == "met"
    assert results["Recruitment"].evidence == ("implementation step “Ausschreibung und Auswahl”",)
    assert results["Screening"].status == "met"
    assert results["Ethics"].status == "met", results["Ethics"].gaps


def test_stages_and_kinds_decide_even_where_the_words_say_otherwise() -> None:
    """Once a program names stages and kinds, English words in its text no longer count."""
    limits = (LIMITS[0].model_copy(update={"kind": "other", "title": "Risk of harm"}), LIMITS[1])
    steps = (STEPS[1].model_copy(update={"title": "Recruit and screen"}),)
    results = by_name(german(limits, steps))
    assert results["Recruitment"].status == "missing"
    assert any("`stages: [recruitment]`" in gap for gap in results["Recruitment"].gaps)
    assert results["Screening"].status == "missing"
    assert "no limit to confidentiality for a risk of harm (a limit with `kind: harm`)" in results["Ethics"].gaps


def test_a_program_without_stages_or_kinds_is_still_read_for_words() -> None:
    """Programs written before `stages` and `kind` existed keep the coverage they had."""
    limits = tuple(limit.model_copy(update={"kind": None}) for limit in EXAMPLE.confidentiality.limits)
    steps = tuple(step.model_copy(update={"stages": ()}) for step in EXAMPLE.implementation)
    results = by_name(german(limits, steps))
    assert all(c.status == "met" for c in results.values()), [(c.standard, c.gaps) for c in results.values()]
    assert "implementation step “Recruit and screen participants”" in results["Screening"].evidence
