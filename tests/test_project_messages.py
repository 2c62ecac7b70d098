"""A project's own words (`locale/<lang>.po`), `handbook messages`, and what a coordinator reads in any language.

A coordinator overrides any word handbook writes by keeping the message in `locale/<lang>.po`
beside program.yaml; a language handbook ships no catalog for works the same way, with the
file as the whole catalog. Mistakes in the file are located like every other input. The lines
`check`, `build` and `match` print, the cohort file's header and the match report follow the
program's language, and describe groups of any size as what they are.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, build_file_tree, example_program, run_cli

from benchmarks.roster_gen import roster_csv
from handbook.commands.stage import load, render_pages

HEADER = """\
msgid ""
msgstr ""
"Language: {language}\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""


def _language(project: Path, language: str) -> Path:
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("  language: en", f"  language: {language}"),
                       encoding="utf-8")
    return project


def _po(project: Path, language: str, entries: str) -> Path:
    return build_file_tree(project, {f"locale/{language}.po": HEADER.format(language=language) + entries})


def _pages(project: Path) -> dict[str, str]:
    return render_pages(load(project)).pages


def _challenge_page(pages: dict[str, str]) -> str:
    return pages["challenges/busy.md"]


def _line_of(project: Path, language: str, text: str) -> int:
    lines = (project / "locale" / f"{language}.po").read_text(encoding="utf-8").splitlines()
    return next(i + 1 for i, line in enumerate(lines) if text in line)


def test_a_project_word_replaces_the_shipped_one(small_project: Path) -> None:
    _po(_language(small_project, "de"), "de", 'msgid "Warning signs"\nmsgstr "Alarmzeichen"\n')
    page = _challenge_page(_pages(small_project))
    assert '!!! warning "Alarmzeichen"' in page and "Warning signs" not in page
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("program.yaml ist gültig: Small Circle 1.0")


def test_an_english_project_may_change_english_words(small_project: Path) -> None:
    _po(small_project, "en", 'msgid "Warning signs"\nmsgstr "Red flags"\n')
    assert '!!! warning "Red flags"' in _challenge_page(_pages(small_project))


def test_a_msgid_handbook_does_not_have_is_located_with_a_suggestion_and_build_is_kept(small_project: Path) -> None:
    _po(_language(small_project, "de"), "de", 'msgid "Warning sings"\nmsgstr "Alarmzeichen"\n')
    build_file_tree(small_project, {"build/site/index.html": "the last build"})
    result = run_cli("build", "--project", small_project)
    assert result.exit_code == 2
    line = _line_of(small_project, "de", "Warning sings")
    assert (f"locale/de.po:{line}: handbook writes no message 'Warning sings' (did you mean 'Warning signs'?)"
            in result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert (small_project / "build" / "site" / "index.html").read_text(encoding="utf-8") == "the last build"


@pytest.mark.parametrize(("entry", "expected"), [
    ('msgid "Match report: %(program)s"\nmsgstr "Bericht: %(programm)s"\n',
     "the translation of 'Match report: %(program)s' uses %(programm)s, which handbook does not fill in"),
    ('msgid "Match report: %(program)s"\nmsgstr "Bericht"\n',
     "the translation of 'Match report: %(program)s' leaves out %(program)s"),
    ('msgid "Warning signs"\nmsgstr "100 % Warnung"\n', "the translation of 'Warning signs' has a lone %"),
    ('msgid "%(num)s training module"\nmsgid_plural "%(num)s training modules"\nmsgstr[0] "%(num)s Modul"\n'
     'msgstr[1] ""\n', "the translation of '%(num)s training module' leaves a plural form empty"),
    ('msgid "Warning signs"\nmsgstr "Alarm\n', "this line is no part of a .po entry"),
    ('msgid "%(num)s training module"\nmsgstr "%(num)s Module"\n',
     "'%(num)s training module' is a message with plural forms"),
    ('msgid "Warning signs"\n\nmsgid "Steps"\nmsgstr "Schritte"\n', "this is not a valid .po file"),
])
def test_a_translation_handbook_cannot_use_is_refused_with_its_line(small_project: Path, entry: str,
                                                                    expected: str) -> None:
    _po(_language(small_project, "de"), "de", entry)
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2, result.stdout
    assert re.search(r"locale/de\.po:\d+: ", result.stderr) and expected in result.stderr, result.stderr


def test_a_language_handbook_does_not_ship_works_from_the_project_catalog(small_project: Path) -> None:
    _po(_language(small_project, "it"), "it",
        'msgid "Warning signs"\nmsgstr "Segnali d\'allarme"\n\n'
        'msgid "%(num)s training module"\nmsgid_plural "%(num)s training modules"\n'
        'msgstr[0] "%(num)s modulo di formazione"\nmsgstr[1] "%(num)s moduli di formazione"\n')
    assert '!!! warning "Segnali d\'allarme"' in _challenge_page(_pages(small_project))
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 0, result.stderr
    assert "1 modulo di formazione" in result.stdout  # the rest of the line stays English: not translated
    assert "note:" not in result.stderr


def test_check_notes_a_language_without_words_and_messages_writes_them(small_project: Path) -> None:
    _language(small_project, "it")
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 0, result.stderr
    assert ("note: handbook has no words for the language it; what it writes itself stays English. "
            "`handbook messages it` writes them for you to translate into locale/it.po.") in result.stderr
    written = run_cli("messages", "it", "--project", small_project)
    assert written.exit_code == 0, written.stderr
    assert "locale/it.po: " in written.stdout and "language: it" in written.stdout
    text = (small_project / "locale" / "it.po").read_text(encoding="utf-8")
    assert 'msgid "Warning signs"\nmsgstr ""' in text and '"Language: it\\n"' in text and "Plural-Forms:" in text
    again = run_cli("check", "--project", small_project)  # every msgstr empty: English, and no note now
    assert again.exit_code == 0, again.stderr
    assert "note:" not in again.stderr


def test_messages_writes_the_shipped_words_and_keeps_an_edited_file(small_project: Path) -> None:
    _language(small_project, "de")
    first = run_cli("messages", "de", "--project", small_project)
    assert first.exit_code == 0, first.stderr
    path = small_project / "locale" / "de.po"
    text = path.read_text(encoding="utf-8")
    assert 'msgid "Match report"\nmsgstr "Matching-Bericht"' in text
    assert 'msgstr[1] "%(num)s Trainingsmodule"' in text
    assert run_cli("check", "--project", small_project).exit_code == 0  # the file as written is valid
    path.write_text(text.replace('msgstr "Matching-Bericht"', 'msgstr "Tandem-Bericht"'), encoding="utf-8")
    refused = run_cli("messages", "de", "--project", small_project)
    assert refused.exit_code == 2 and "locale/de.po: the file exists already" in refused.stderr
    assert "Tandem-Bericht" in path.read_text(encoding="utf-8")
    assert run_cli("messages", "de", "--force", "--project", small_project).exit_code == 0
    assert "Tandem-Bericht" not in path.read_text(encoding="utf-8")
    unknown = run_cli("messages", "xx-notalanguage", "--project", small_project)
    assert unknown.exit_code == 2 and "no language tag handbook knows" in unknown.stderr


def test_another_languages_file_is_not_read_and_check_says_so(small_project: Path) -> None:
    _po(small_project, "de", 'msgid "Warning signs"\nmsgstr "Alarmzeichen"\n')
    assert "Alarmzeichen" not in _challenge_page(_pages(small_project))
    result = run_cli("check", "--project", small_project)
    assert "note: locale/de.po is not read: the program's language is en." in result.stderr


def _match(tmp_path: Path, language: str, size: int, people: int) -> tuple[Path, str]:
    program = (ROOT / "program.yaml").read_text(encoding="utf-8").replace("group_size: 2", f"group_size: {size}") \
        .replace("  languages: [en, de]", "  language: en")  # the example in one language
    project = _language(build_file_tree(tmp_path / language, {**example_program(program),
                                                              "roster.csv": roster_csv(people, 2)}), language)
    result = run_cli("match", project / "roster.csv", "--out", "cohort.yaml", "--start", "2026-09-14",
                     "--project", project)
    assert result.exit_code == 0, result.stderr
    return project, result.stdout


def test_a_german_match_report_for_triads_and_a_circle(tmp_path: Path) -> None:
    project, said = _match(tmp_path, "de", 3, 10)
    assert "10 Personen in 3 Gruppen (2 Triaden und 1 Kreis mit 4 Personen) eingeteilt" in said
    assert "(nur für die Koordination)" in said
    report = (project / "build" / "private" / "match-report.html").read_text(encoding="utf-8")
    assert "<title>Matching-Bericht: Peer Mentoring – Leadership</title>" in report
    assert "Gruppenstart am 14. September 2026" in report
    assert "<dd>2 Triaden und 1 Kreis mit 4 Personen</dd>" in report and "10 in 3 Gruppen<" in report
    assert "Nur für die Koordination." in report and "von 100" in report
    for english in ("Match report", "Mean score", "pairs", "Why it matters", "shared:", "of 100"):
        assert english not in report
    cohort = (project / "cohort.yaml").read_text(encoding="utf-8")
    assert cohort.splitlines()[1].startswith("# PERSONENBEZOGENE DATEN")


def test_an_english_report_names_the_sizes_the_groups_have(tmp_path: Path) -> None:
    _project, said = _match(tmp_path, "en", 3, 10)
    assert "matched 10 people into 3 groups (2 triads and 1 circle of 4)" in said
    report = (_project / "build" / "private" / "match-report.html").read_text(encoding="utf-8")
    assert "<dd>2 triads and 1 circle of 4</dd>" in report
    assert "when each group is grown by the person who adds most" in report
    assert 'id="triad-01"' in report and 'id="circle-01"' in report and "pair-" not in report


def test_build_says_what_it_did_in_the_programs_language(small_project_warm: Path) -> None:
    _language(small_project_warm, "de")
    result = run_cli("build", "--project", small_project_warm)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "  Programm ist gültig"
    assert "  1 Kalender erzeugt" in lines  # one form for one, as German writes it
    assert re.fullmatch(r"\d+ Seiten in \d+,\d s erstellt: .*build/site", lines[-1]), lines[-1]
    again = run_cli("build", "--project", small_project_warm)
    assert re.fullmatch(r"  seit dem letzten Build hat sich nichts geändert\n"
                        r"build/ ist aktuell \(\d+,\d\d s\); --force erstellt es trotzdem neu\n", again.stdout)
