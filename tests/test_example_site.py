"""End to end: the example program builds into a site that holds every idea of the seed."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import copy_example, copy_project, run_cli, site_only, tree_digest


@pytest.fixture
def example_build(built_example: Path) -> Path:
    """The example, built once per session (tests/conftest.py): read only."""
    return built_example


def page_text(site: Path, page: str) -> str:
    """Return the visible text of the article of a built page, whitespace collapsed."""
    raw = (site / page).read_text(encoding="utf-8")
    article = raw[raw.index("<article"): raw.index("</article>")]
    text = re.sub(r"<[^>]+>", " ", article)
    return " ".join(html.unescape(text).split())


def all_text(site: Path) -> str:
    return " ".join(page_text(site, p.relative_to(site).as_posix()) for p in sorted(site.rglob("*.html"))
                    if p.name != "404.html")


# Every idea of the seed, in the seed's own terms: (page, phrases that must appear on it).
SEED = [
    ("index.html", ["Peer Mentoring – Leadership", "similar status or experience", "power dynamic",
                    "open dialogue", "mutual learning", "share insights, challenges and strategies",
                    "problem-solving", "culture of continuous learning and collaboration",
                    "leadership effectiveness", "drive", "innovation", "resilient teams",
                    "careful planning and execution", "Traditional mentoring"]),
    ("benefits.html", ["Enhanced learning", "diverse perspectives", "critical thinking", "Emotional support",
                       "reduces stress", "resilience", "Improved communication", "communication skills",
                       "Increased accountability", "follow through on commitments"]),
    ("goals.html", ["leadership skills", "team dynamics", "innovation", "Target"]),
    ("guidelines.html", ["every 2 weeks", "60 minutes", "Communication channels", "agenda", "Boundaries"]),
    ("confidentiality.html", ["Where confidentiality ends", "Risk of harm", "If confidentiality is breached"]),
    ("training/index.html", ["Active listening", "conflict resolution", "mentoring techniques", "Total"]),
    ("challenges/index.html", ["Power dynamics", "Time constraints", "Lack of structure", "Confidentiality issues"]),
    ("playbooks/index.html", ["Foster a culture of trust", "team-building", "open communication channels",
                              "Allocate time", "work calendar", "Provide structure", "agendas",
                              "documenting discussions", "measurable goals", "Ensure confidentiality",
                              "formal agreements", "consequences of breaching"]),
    ("implementation.html", ["Identify goals", "Match peers", "Establish guidelines", "Provide training",
                             "Monitor and evaluate", "personality", "work style", "expertise", "feedback"]),
    ("monitoring.html", ["week 2", "week 4", "then monthly", "never reports"]),
    ("closure.html", ["Planned closure", "Unplanned closure", "No-fault exit", "Rematching"]),
    ("matching.html", ["never share a manager", "triad"]),
]


@pytest.mark.parametrize("page,phrases", SEED, ids=[s[0] for s in SEED])
def test_seed_ideas_appear_on_their_page(example_build: Path, page: str, phrases: list[str]) -> None:
    text = page_text(example_build / "build" / "site", page).lower()
    missing = [p for p in phrases if p.lower() not in text]
    assert not missing, f"{page} lacks {missing}"


def test_every_challenge_and_playbook_link_both_ways(example_build: Path) -> None:
    site = example_build / "build" / "site"
    challenges = sorted((site / "challenges").glob("*.html"))
    playbooks = sorted((site / "playbooks").glob("*.html"))
    assert len(challenges) == 5 and len(playbooks) == 5  # four each, plus the index pages
    for challenge in challenges:
        if challenge.name != "index.html":
            assert 'href="../playbooks/' in challenge.read_text(encoding="utf-8"), challenge.name
    for playbook in playbooks:
        if playbook.name != "index.html":
            assert 'href="../challenges/' in playbook.read_text(encoding="utf-8"), playbook.name


def test_every_training_module_has_a_page(example_build: Path) -> None:
    site = example_build / "build" / "site"
    index = (site / "training" / "index.html").read_text(encoding="utf-8")
    modules = sorted(p.name for p in (site / "training").glob("*.html") if p.name != "index.html")
    assert len(modules) >= 5
    for name in modules:
        assert f'href="{name}"' in index


def test_content_pages_are_merged(example_build: Path) -> None:
    site = example_build / "build" / "site"
    assert "Frequently asked questions" in page_text(site, "faq.html")
    assert "Welcome" in page_text(site, "welcome.html")


def test_field_reference_page_lists_every_section(example_build: Path) -> None:
    text = page_text(example_build / "build" / "site", "reference.html")
    for key in ("effective_date", "warning_signs", "breach_consequences", "no_fault_exit", "every_weeks"):
        assert key in text


def test_pages_request_nothing_from_other_hosts(example_build: Path) -> None:
    site = example_build / "build" / "site"
    for page in site.rglob("*.html"):
        raw = page.read_text(encoding="utf-8")
        for attribute in re.findall(r'(?:src|href)="([^"]+)"', raw):
            if attribute.startswith(("http://", "https://", "//")):
                # Outgoing links a reader may follow are fine; resources loaded by the page are not.
                assert not re.search(rf'<(?:link|script|img)[^>]+(?:src|href)="{re.escape(attribute)}"', raw), \
                    f"{page.name} loads {attribute}"
        assert "fonts.googleapis" not in raw and "fonts.gstatic" not in raw


def test_html_lang_comes_from_the_program(example_build: Path) -> None:
    assert '<html lang="en"' in (example_build / "build" / "site" / "index.html").read_text(encoding="utf-8")


def test_edit_and_rebuild_shows_the_change(example_build: Path, tmp_path: Path) -> None:
    assert "60 minutes" in page_text(example_build / "build" / "site", "guidelines.html")
    project = copy_example(tmp_path / "project")
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("length_minutes: 60", "length_minutes: 75"),
                       encoding="utf-8")
    assert "75 minutes" in page_text(site_only(project), "guidelines.html")


def test_failed_build_leaves_the_previous_build_byte_identical(example_build: Path, tmp_path: Path) -> None:
    project = copy_project(example_build, tmp_path / "project")
    before = tree_digest(project / "build")
    # Fails late, in the site engine, after the staging folder was written.
    (project / "content" / "broken.md").write_text("# Broken\n\nSee [this](missing-page.md).\n", encoding="utf-8")
    result = run_cli("build", "--project", project)
    assert result.exit_code == 2
    assert "content/broken.md:3:" in result.stderr and "missing-page.md" in result.stderr
    assert tree_digest(project / "build") == before
    assert [p.name for p in project.iterdir() if p.name.startswith("build")] == ["build"]
