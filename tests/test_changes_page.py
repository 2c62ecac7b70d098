"""program.yaml's `previous:`: the site's page of what changed since the version before, and the downloads
page saying whether the agreement's text changed (its fingerprint); a `previous:` that leads nowhere is an
input error naming program.yaml's line, and the build is left as it was."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from handbook.commands.stage import load, render
from handbook.errors import InputError
from handbook.layout import Layout
from tests.conftest import (
    copy_example,
    run_cli,
    site_only,
    small_with_cohort,
    source_date,
    tree_digest,
)

OLD = "versions/program-0.9.yaml"
COHORT = """\
name: Test cycle
participants:
  - id: ana
    name: Ana Lima
    email: ana@example.org
  - id: ben
    name: Ben Okafor
    email: ben@example.org
  - id: cai
    name: Cai Wen
    email: cai@example.org
groups:
  - id: circle-1
    members: [ana, ben, cai]
    start: 2026-02-02
"""


def replaced(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def with_previous(root: Path, *older: tuple[str, str]) -> Path:
    """Keep a copy of program.yaml changed by `older` as the version before (0.9), and name it in program.yaml."""
    program = root / "program.yaml"
    text = program.read_text(encoding="utf-8")
    (root / "versions").mkdir()
    (root / OLD).write_text(replaced(text, ('version: "1.0"', 'version: "0.9"'),
                                     ("effective_date: 2026-01-05", "effective_date: 2025-07-01"), *older),
                            encoding="utf-8")
    program.write_text(text + f"\nprevious: {OLD}\n", encoding="utf-8")
    return root


AGREEMENT_EDITS = (("every_weeks: 2", "every_weeks: 3"),  # the agreement says how often the group meets
                   ("title: Enhance leadership skills", "title: Build leadership skills"))


def text_of(page: Path) -> str:
    """Return a built page's article as text, one line per paragraph or list item."""
    article = re.search(r"<article[^>]*>(.*?)</article>", page.read_text(encoding="utf-8"), re.S)
    assert article is not None, page
    text = html.unescape(re.sub(r"<[^>]+>", "", article.group(1)))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def fingerprint_on(downloads: str) -> str:
    found = re.search(r"Fingerprint:\s*(\S+)", downloads)
    assert found is not None, downloads
    return found.group(1)


def test_a_build_with_previous_has_the_page_of_what_changed_and_says_the_agreement_changed(
        small_project_warm: Path) -> None:
    project = with_previous(small_project_warm, *AGREEMENT_EDITS)
    with source_date():
        result = run_cli("build", "--quiet", "--project", project)
    assert result.exit_code == 0, result.stdout + result.stderr
    site = project / "build" / "site"
    page = text_of(site / "what-changed.html")
    lines = page.splitlines()
    assert lines[0] == "What changed"
    assert "Changes since version 0.9 (in effect from 1 July 2025), section by section." in lines
    for section in ("Program", "Goals", "Guidelines"):
        assert section in lines
    assert "Confidentiality" not in lines and "Training" not in lines  # unchanged sections are not named
    assert "1 changed" in lines  # goals, guidelines
    assert "program.version: “0.9” → “1.0”" in lines
    assert "guidelines.meetings.every_weeks: 3 → 2" in lines
    assert "“Enhance leadership skills” (goals[skills])" in lines  # the item by its title, then what changed in it
    assert "title: “Build leadership skills” → “Enhance leadership skills”" in lines
    # The navigation has the page just before the downloads, on every page.
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 0 < index.find('href="what-changed.html"') < index.find('href="downloads.html"')
    downloads = text_of(site / "downloads.html")
    now = fingerprint_on(downloads)
    said = re.search(r"The agreement's text changed since version 0\.9 \(fingerprint (\S+) → (\S+)\): groups that "
                     r"signed the earlier text sign it again\.", downloads)
    assert said is not None, downloads
    assert said.group(2) == now and said.group(1) != now
    assert "pairs" not in downloads.split("Fingerprint:")[1].split("Printable")[0]  # never assumes a pair

    # The version before is an input of the build: a change to it builds again.
    assert project / OLD in Layout(project).build_inputs()

    # A `previous:` that leads nowhere: exit 2 naming program.yaml's line, and build/ stays as it was.
    before = tree_digest(project / "build")
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace(OLD, "versions/nowhere.yaml"), encoding="utf-8")
    number = program.read_text(encoding="utf-8").splitlines().index("previous: versions/nowhere.yaml") + 1
    with source_date():
        failed = run_cli("build", "--project", project)
    assert failed.exit_code == 2, failed.stdout + failed.stderr
    assert f"program.yaml:{number}:1: previous: the previous version's program file 'versions/nowhere.yaml' " \
           "does not exist" in failed.stderr
    assert "previous: versions/nowhere.yaml" in failed.stderr  # the line itself is shown
    assert "Traceback" not in failed.stderr
    assert tree_digest(project / "build") == before


def test_an_unchanged_agreement_needs_no_new_signature(small_project: Path) -> None:
    project = with_previous(small_project, ("title: Enhance leadership skills", "title: Build leadership skills"))
    site = site_only(project)
    downloads = text_of(site / "downloads.html")
    now = fingerprint_on(downloads)
    said = re.search(r"The agreement's text is the same as in version 0\.9; only its version and date changed "
                     r"\(fingerprint (\S+) → (\S+)\): nothing to sign again\.", downloads)
    assert said is not None, downloads
    assert said.group(2) == now and said.group(1) != now
    page = text_of(site / "what-changed.html").splitlines()
    assert "Goals" in page and "Guidelines" not in page


def test_without_previous_there_is_no_page_of_what_changed(small_project: Path) -> None:
    site = site_only(small_project)
    assert not (site / "what-changed.html").exists()
    assert "what-changed" not in (site / "index.html").read_text(encoding="utf-8")
    downloads = text_of(site / "downloads.html")
    assert "since version" not in downloads and "same as in version" not in downloads


def test_the_cohort_never_reaches_the_page(tmp_path: Path) -> None:
    project = small_with_cohort(tmp_path / "project", COHORT)
    text = (project / "program.yaml").read_text(encoding="utf-8")
    with_previous(project, ("cohort: cohort.yaml", "cohort: old-cohort.yaml"))
    assert "cohort: cohort.yaml" in text
    site = site_only(project)
    page = text_of(site / "what-changed.html")
    assert "cohort" not in page.lower()
    assert "Nothing in the program changed since that version." not in page  # the version did change
    # `handbook changes` still names the cohort file, for the coordinator.
    result = run_cli("changes", OLD, "--project", project)
    assert result.exit_code == 0, result.output
    assert "Cohort file: 1 change" in result.stdout.splitlines()


@pytest.mark.parametrize("target, says", [
    ("program.yaml", "'program.yaml' is not the program file of the version before"),
    ("cohort.yaml", "'cohort.yaml' is not the program file of the version before"),
])
def test_previous_must_be_another_program_file(tmp_path: Path, target: str, says: str) -> None:
    project = small_with_cohort(tmp_path / "project", COHORT)
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8") + f"previous: {target}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(project)
    assert [p.file for p in caught.value.problems] == ["program.yaml"]
    assert says in caught.value.problems[0].message


def test_an_invalid_older_version_names_program_yaml_and_its_own_lines(small_project: Path) -> None:
    project = with_previous(small_project, ("  duration_months: 3\n", "  duration_months: many\n"))
    result = run_cli("check", "--project", project)
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = (project / "program.yaml").read_text(encoding="utf-8").splitlines()
    number = lines.index(f"previous: {OLD}") + 1
    assert f"program.yaml:{number}:1: previous: the previous version's program file '{OLD}' is not a valid " \
           "program" in result.stderr
    assert f"{OLD}:" in result.stderr and "duration_months" in result.stderr  # the old file's own problem


def test_each_language_has_the_page_its_items_named_as_its_translation_names_them(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")  # the example names its version before: 2025.2
    loaded = load(project)
    assert loaded.previous is not None and loaded.previous.agreement_changed  # every_weeks: 3 -> 2
    sites = render(loaded).sites  # each language's pages, as Markdown
    english, german = sites["en"].pages["what-changed.md"], sites["de"].pages["what-changed.md"]
    assert "- “Legal or regulatory duty” (`confidentiality.limits[legal-duty]`)" in english.splitlines()
    assert "- „Gesetzliche oder aufsichtsrechtliche Pflicht“ (`confidentiality.limits[legal-duty]`)" \
        in german.splitlines()
    for page in (english, german):
        assert "- `guidelines.meetings.every_weeks`: 3 → 2" in page.splitlines()
        assert "cohort" not in page.lower()
    # The German site states it without the English agreement's fingerprints, which it does not show.
    said = [line for line in sites["de"].pages["downloads.md"].splitlines() if "2025.2" in line]
    assert len(said) == 1
    assert loaded.previous.old_fingerprint not in said[0] and loaded.previous.new_fingerprint not in said[0]
    assert loaded.previous.new_fingerprint in sites["en"].pages["downloads.md"]
