"""The standards check names what a program lacks against MENTOR's and EMCC's standards."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, run_cli

from handbook.layout import Layout
from handbook.load.project import load_program
from handbook.model import CheckIn
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
    assert "only 0.5 h of training before matching; at least 2 h are expected" in training.gaps


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
    assert "no limit to confidentiality for a risk of harm" in results["Ethics"].gaps
    assert results["Matching and initiating"].status == "partial"


def test_check_standards_prints_the_coverage_table(small_project: Path) -> None:
    result = run_cli("check", "--standards", "--project", small_project)
    assert result.exit_code == 0
    assert "Standards of mentoring practice" in result.stdout
    assert "Recruitment" in result.stdout and "MISSING" in result.stdout
    assert "gaps to close" in result.stdout


def test_about_page_shows_the_coverage_table(small_project: Path) -> None:
    from handbook.commands.stage import load
    from handbook.render.site import render_site

    page = render_site(load(small_project)).pages["about.md"]
    assert "| Recruitment | MENTOR | Missing |" in page
    assert "| Training | MENTOR | Covered |" in page
