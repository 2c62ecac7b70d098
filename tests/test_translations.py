"""Translations of the program's text (program.<lang>.yaml): what check refuses and where, what falls back
and is counted, what is stale, and `handbook translate` writing a file a translator works in.

Each test works on a copy of the small golden project, published in English and German; no PDFs.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from handbook.commands.stage import load, render
from handbook.load.translations import mark, shown
from tests.conftest import SMALL, run_cli


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """The small project published in English (the source) and German, with no translation yet."""
    root = tmp_path / "project"
    shutil.copytree(SMALL, root, ignore=shutil.ignore_patterns("build", ".handbook"))
    program = root / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("  language: en\n", "  languages: [en, de]\n"),
                       encoding="utf-8")
    return root


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GERMAN = f"""\
program:
  name: Kleiner Kreis  # source {mark("Small Circle")}
  tagline: Zwei Kolleginnen, ein Gespräch alle zwei Wochen.
goals:
  - id: skills
    title: Führungskompetenz stärken  # source {mark("Enhance leadership skills")}
    description: |-  # source {mark("Grow as a leader.")}
      Als Führungskraft wachsen.
      Gemeinsam.
overview:
  not_covered:
    - Therapie  # source {mark("Therapy")}
"""


def test_a_translation_replaces_the_texts_it_has_and_the_rest_falls_back_counted(project: Path) -> None:
    write(project, "program.de.yaml", GERMAN)
    loaded = load(project)
    german = loaded.in_language("de").program
    assert german.program.name == "Kleiner Kreis"
    assert german.program.language == "de"
    assert german.goals[0].description == "Als Führungskraft wachsen.\nGemeinsam."
    assert german.overview.not_covered == ("Therapie",)
    assert german.overview.summary == loaded.program.overview.summary  # not translated: the English text
    translation = loaded.translations["de"]
    assert len(translation.texts) == 5 and not translation.stale
    assert len(translation.missing) == len(translation.entries) - 5
    result = run_cli("check", "--project", project)
    assert result.exit_code == 0, result.output
    assert f"program.de.yaml: 5 of {len(translation.entries)} texts in German; " \
           f"{len(translation.missing)} shown in English instead" in result.stderr
    assert "1 translation has no `# source` mark" in result.stderr  # the tagline


def test_the_german_pages_say_the_german_words(project: Path) -> None:
    write(project, "program.de.yaml", GERMAN)
    write(project, "content/de/faq.md", "# Häufige Fragen\n\nWer darf mitmachen? Alle.\n")
    rendered = render(load(project))
    assert list(rendered.sites) == ["en", "de"]
    german, english = rendered.sites["de"].pages, rendered.sites["en"].pages
    assert "Führungskompetenz stärken" in german["goals.md"] and "Enhance leadership skills" in english["goals.md"]
    assert "Wer darf mitmachen?" in german["faq.md"] and "Wer darf" not in english["faq.md"]
    paths = rendered.prints.paths()
    assert {"handbook.pdf", "de/handbook.pdf", "agreements/blank.pdf", "de/agreements/blank.pdf",
            "de/agreements/terms.pdf"} <= set(paths)
    assert "de/program.ics" in rendered.calendars and "program.ics" in rendered.calendars


def test_a_changed_source_text_makes_its_translation_stale_with_the_new_mark(project: Path) -> None:
    write(project, "program.de.yaml", GERMAN)
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace(
        "title: Enhance leadership skills", "title: Grow leadership skills"), encoding="utf-8")
    result = run_cli("check", "--project", project)
    assert result.exit_code == 0, result.output
    line = next(n for n, text in enumerate(GERMAN.splitlines(), 1) if "Führungskompetenz" in text)
    source_line = next(n for n, text in enumerate(program.read_text(encoding="utf-8").splitlines(), 1)
                       if "Grow leadership skills" in text)
    assert (f"program.de.yaml:{line}: goals[skills].title changed in program.yaml (line {source_line}) after it "
            f"was translated; update the translation, then its mark to `# source {mark('Grow leadership skills')}`"
            ) in result.stderr


def test_check_refuses_what_the_source_lacks_a_wrong_type_and_a_changed_value_each_at_its_line(project: Path) -> None:
    bad = write(project, "program.de.yaml", """\
program:
  nme: Kleiner Kreis
goals:
  - id: skils
    title: Führung
  - title: Ohne id
guidelines:
  meetings:
    every_weeks: 3
    scheduling: [eins, zwei]
overview:
  not_covered:
    - Therapie
    - Coaching
""")
    result = run_cli("check", "--project", project)
    assert result.exit_code == 2
    out = result.stderr
    assert "program.de.yaml:2:3: program.nme: unknown key 'nme' (did you mean 'name'?)" in out
    assert "program.de.yaml:4:9: goals[0].id: program.yaml has no item with id 'skils' (did you mean 'skills'?)" in out
    assert "program.de.yaml:6:5: goals[1]: expected the `id` of the item this translates" in out
    assert "program.de.yaml:9:18: guidelines.meetings.every_weeks: `guidelines.meetings.every_weeks` is not text" in out
    assert "program.de.yaml:10:17: guidelines.meetings.scheduling: expected text, got a list" in out
    assert "program.de.yaml:14:7: overview.not_covered[1]: program.yaml has 1 items here, this list 2" in out
    assert "Traceback" not in result.output
    assert bad.read_text(encoding="utf-8").startswith("program:")  # nothing written over


def test_a_value_that_is_not_text_may_stay_when_it_is_the_same(project: Path) -> None:
    write(project, "program.de.yaml", "guidelines:\n  meetings:\n    every_weeks: 2\n    scheduling: Abwechselnd.\n")
    assert load(project).in_language("de").program.guidelines.meetings.scheduling == "Abwechselnd."


def test_a_page_only_in_a_language_folder_and_an_unlisted_translation_are_refused(project: Path) -> None:
    write(project, "content/de/neu.md", "# Neu\n")
    write(project, "program.fr.yaml", "program:\n  name: Petit cercle\n")
    result = run_cli("check", "--project", project)
    assert result.exit_code == 2
    assert "content/de/neu.md: no page 'neu.md' in content/ for this page to translate" in result.stderr
    assert "program.fr.yaml: the program does not list the language 'fr'" in result.stderr


def test_a_cohort_language_the_program_is_not_published_in_is_refused(project: Path) -> None:
    (project / "program.yaml").write_text((project / "program.yaml").read_text(encoding="utf-8")
                                          + "\ncohort: cohort.yaml\n", encoding="utf-8")
    write(project, "cohort.yaml", """\
participants:
  - {id: ana, name: Ana Lima, email: ana@example.org}
  - {id: ben, name: Ben Ode, email: ben@example.org, language: fr}
groups:
  - id: pair-01
    members: [ana, ben]
    start: 2026-02-02
    language: it
""")
    result = run_cli("check", "--project", project)
    assert result.exit_code == 2
    assert "cohort.yaml:8:15: groups[0].language: the program is not published in 'it'" in result.stderr
    assert "cohort.yaml:3:64: participants[1].language: the program is not published in 'fr'" in result.stderr


def test_handbook_translate_writes_every_text_keeps_translations_and_marks_and_reads_back(project: Path) -> None:
    write(project, "program.de.yaml", GERMAN)
    before = load(project).translations["de"]
    result = run_cli("translate", "de", "--project", project)
    assert result.exit_code == 0, result.output
    assert f"wrote program.de.yaml: {len(before.entries)} texts, 5 translated" in result.stdout
    text = (project / "program.de.yaml").read_text(encoding="utf-8")
    assert "  name: Kleiner Kreis  # source " + mark("Small Circle") in text
    assert f"  tagline: Zwei Kolleginnen, ein Gespräch alle zwei Wochen.  # source " \
           f"{mark('Two colleagues, one conversation a fortnight.')}" in text  # the unmarked one got its mark
    assert "summary: A *small* peer mentoring circle.  # source" in text  # to translate in place
    after = load(project).translations["de"]
    assert {p: t.text for p, t in after.texts.items()} == {p: t.text for p, t in before.texts.items()}
    assert not after.unmarked and not after.stale
    assert len(re.findall(r"# source [0-9a-f]{6}$", text, re.M)) == len(after.entries)
    # Translating one more text in place: it counts, nothing else moves.
    (project / "program.de.yaml").write_text(text.replace("summary: A *small* peer mentoring circle.",
                                                          "summary: Ein *kleiner* Kreis."), encoding="utf-8")
    assert len(load(project).translations["de"].texts) == 6


def test_handbook_translate_refuses_a_language_the_program_does_not_list(project: Path) -> None:
    result = run_cli("translate", "fr", "--project", project)
    assert result.exit_code == 2
    assert "the program is not published in 'fr'" in result.stderr
    assert "`languages: [en, de, fr]`" in result.stderr
    assert not (project / "program.fr.yaml").exists()


def test_handbook_translate_keeps_a_broken_file_as_it_is(project: Path) -> None:
    broken = write(project, "program.de.yaml", "program:\n  nme: Kleiner Kreis\n")
    result = run_cli("translate", "de", "--project", project)
    assert result.exit_code == 2
    assert "program.de.yaml:2:3" in result.stderr
    assert broken.read_text(encoding="utf-8") == "program:\n  nme: Kleiner Kreis\n"


def test_a_text_the_same_on_purpose_counts_as_translated_and_stays_so(project: Path) -> None:
    write(project, "program.de.yaml", f"program:\n  organization: Example Co  # same {mark('Example Co')}\n"
                                      "  name: Small Circle  # source 123456\n")
    translation = load(project).translations["de"]
    assert [shown(path) for path in translation.texts] == ["program.organization"]  # the name is only a copy
    assert run_cli("translate", "de", "--project", project).exit_code == 0
    text = (project / "program.de.yaml").read_text(encoding="utf-8")
    assert f"  organization: Example Co  # same {mark('Example Co')}" in text
    assert "program.organization" in [shown(p) for p in load(project).translations["de"].texts]


ROSTER = """\
id,name,email,department,manager,goals,language
ana,Ana Lima,ana@example.org,Sales,Kim,delegation,de
ben,Ben Ode,ben@example.org,Finance,Lee,delegation,de
cleo,Cleo Hart,cleo@example.org,IT,Max,feedback,
dan,Dan Roy,dan@example.org,Legal,Sam,feedback,
"""


def test_a_roster_language_column_gives_the_cohort_its_languages(project: Path) -> None:
    write(project, "roster.csv", ROSTER)
    result = run_cli("match", project / "roster.csv", "--project", project, "--start", "2026-02-02")
    assert result.exit_code == 0, result.output
    cohort = (project / "cohort.yaml").read_text(encoding="utf-8")
    assert cohort.count("  language: de\n") == 2 and "attributes:\n    language" not in cohort
    write(project, "roster.csv", ROSTER.replace("feedback,\n", "feedback,it\n", 1))
    result = run_cli("match", project / "roster.csv", "--project", project)
    assert result.exit_code == 2
    assert "roster.csv:4:7: 'cleo' reads 'it', a language the program is not published in" in result.stderr
