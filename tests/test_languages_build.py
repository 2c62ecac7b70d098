"""One program in three languages, built whole: a site per language, PDFs per language, each group's papers in its own.

The fixture (tests/fixtures/dreisprachig) is the German triad program for new ward managers with
`languages: [de, en, fr]`: German is the source (program.yaml, content/faq.md), program.en.yaml and
program.fr.yaml translate every text, content/en/ and content/fr/ the FAQ. Its cohort has a triad
per language (`language:` on the group) and one whose members each say `language: fr`. It is
built once for the module by `handbook build`, as a coordinator builds it, and read as a reader
gets it: the pages' text, the PDFs' text and language tag, the calendars' names. The built copy
leaves one French text out (`confidentiality.reporting`), which the French handbook shows in German.
A second test runs `handbook check` on a copy whose French translation has three mistakes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import icalendar
import pytest
from pypdf import PdfReader

from tests.conftest import ROOT, run_cli, source_date

FIXTURE = ROOT / "tests" / "fixtures" / "dreisprachig"

# A sentence of each language's FAQ (content/faq.md, content/en/faq.md, content/fr/faq.md).
FAQ = {
    "de": "Die Treffen finden in der Arbeitszeit statt",
    "en": "Meetings take place in working time",
    "fr": "Les rencontres ont lieu pendant le temps de travail",
}
# A ground rule and the confidentiality clause, from program.yaml and its two translations.
GROUND_RULE = {
    "de": "Was im Raum gesagt wird, bleibt im Raum",
    "en": "What is said in the room stays in the room",
    "fr": "Ce qui se dit dans la pièce reste dans la pièce",
}
CLAUSE = {
    "de": "Ich behalte für mich, was die anderen im Gespräch anvertrauen.",
    "en": "I keep to myself what the others confide in our conversations.",
    "fr": "Je garde pour moi ce que les autres me confient pendant nos échanges.",
}
PROGRAM_NAME = {
    "de": "Kollegiale Beratung für neue Stationsleitungen",
    "en": "Peer consultation for new ward managers",
    "fr": "Codéveloppement pour les nouveaux cadres de santé",
}
# The French text the built copy leaves out, and the German text the French site shows instead.
UNTRANSLATED = ("  reporting: Signalez tout manquement à la coordination.", "Verstöße melden Sie der Koordination.")
# Each group and the language its papers come out in: three name it, triade-genf's members each do.
GROUPS = {"triade-berlin": "de", "triade-london": "en", "triade-lyon": "fr", "triade-genf": "fr"}
SITE = {"de": "", "en": "en/", "fr": "fr/"}  # the source language at the root, the others under their code


def _text(html: Path) -> str:
    """The words of a page with its markup removed and its white space folded, as a reader sees them."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", text).replace("&#39;", "'").replace("&rsquo;", "'").split())


def _pdf_text(pdf: Path) -> str:
    """A PDF's text as a reader's search gets it, white space folded and words broken at a line end joined."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    return " ".join(re.sub(r"-\n(?=[a-zà-ÿ])", "", text).split())


def _lang(pdf: Path) -> str:
    return str(PdfReader(pdf).trailer["/Root"].get("/Lang"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The three-language fixture built by `handbook build`; its build/ folder and what the build printed."""
    project = tmp_path_factory.mktemp("dreisprachig") / "project"
    shutil.copytree(FIXTURE, project)
    french = project / "program.fr.yaml"
    lines = french.read_text(encoding="utf-8").splitlines(keepends=True)
    french.write_text("".join(line for line in lines if not line.startswith(UNTRANSLATED[0])), encoding="utf-8")
    with source_date():
        result = run_cli("build", "--project", project)
    assert result.exit_code == 0, result.output
    return project / "build", result.output


def test_every_language_has_its_site_with_its_own_text(built: tuple[Path, str]) -> None:
    build, _ = built
    for language, prefix in SITE.items():
        site = build / "site" / prefix
        assert (site / "index.html").is_file(), f"no site for {language}"
        assert f'<html lang="{language}"' in (site / "faq.html").read_text(encoding="utf-8")
        assert FAQ[language] in _text(site / "faq.html"), f"{language}: the FAQ is not content/{prefix}faq.md"
        assert GROUND_RULE[language] in _text(site / "guidelines.html"), f"{language}: program text not translated"
        others = [other for other in FAQ if other != language]
        assert not any(FAQ[other] in _text(site / "faq.html") for other in others)
    # The offline copy holds every language; names of the cohort are in none of them.
    names = zipfile.ZipFile(build / "handbook-site.zip").namelist()
    assert any(name.endswith("/en/faq.html") for name in names) and any(name.endswith("/fr/faq.html")
                                                                          for name in names)
    for page in (build / "site").rglob("*.html"):
        assert "Chloé Girard" not in page.read_text(encoding="utf-8"), page


def test_each_downloads_page_offers_its_own_languages_pdfs(built: tuple[Path, str]) -> None:
    build, _ = built
    assert (build / "pdf" / "handbook.pdf").is_file()
    assert (build / "pdf" / "en" / "handbook.pdf").is_file()
    assert (build / "pdf" / "fr" / "agreements" / "blank.pdf").is_file()
    for language, prefix in SITE.items():
        page = build / "site" / prefix / "downloads.html"
        links = re.findall(r'href="([^"#?]+\.pdf)"', page.read_text(encoding="utf-8"))
        assert any(link.endswith("handbook.pdf") for link in links), f"{language}: no book offered"
        assert any(link.endswith("agreements/blank.pdf") for link in links), f"{language}: no blank agreement"
        for link in links:
            pdf = (page.parent / link).resolve()
            assert pdf.is_file(), f"{language}: {link} leads nowhere"
            assert _lang(pdf) == language, f"{language}'s downloads page offers {link} in {_lang(pdf)}"
        book = (page.parent / next(link for link in links if link.endswith("handbook.pdf"))).resolve()
        assert PROGRAM_NAME[language] in _pdf_text(book)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_each_groups_agreement_and_calendar_are_in_its_language(built: tuple[Path, str], group: str) -> None:
    build, _ = built
    language = GROUPS[group]
    agreement = build / "pdf" / "agreements" / f"{group}.pdf"
    text = _pdf_text(agreement)
    assert CLAUSE[language] in text, f"{group}: the agreement is not in {language}"
    assert not any(CLAUSE[other] in text for other in CLAUSE if other != language)
    assert _lang(agreement) == language
    calendar = icalendar.Calendar.from_ical((build / "calendar" / f"{group}.ics").read_bytes())
    assert str(calendar["X-WR-CALNAME"]).startswith(PROGRAM_NAME[language])
    summaries = " ".join(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    check_in = {"de": "Halbzeitgespräch", "en": "Mid-point conversation", "fr": "Point à mi-parcours"}
    assert check_in[language] in summaries, f"{group}: the calendar is not in {language}"


def _generator_words(language: str) -> tuple[set[str], set[str]]:
    """Return the words of handbook's English messages and those of their `language` translation (4+ letters)."""
    from babel.messages.pofile import read_po

    english: set[str] = set()
    translated: set[str] = set()
    with (ROOT / "src" / "handbook" / "locale" / language / "LC_MESSAGES" / "handbook.po").open("rb") as handle:
        for message in read_po(handle):
            for ids, into in ((message.id, english), (message.string, translated)):
                for value in (ids if isinstance(ids, tuple) else (ids,)):
                    into |= {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)\w", " ", value or ""))}
    return english, translated


WORD = re.compile(r"[^\W\d_]{4,}")


@pytest.mark.parametrize("language", ["de", "fr"])
def test_no_page_says_a_word_of_the_generator_in_another_language(built: tuple[Path, str], language: str) -> None:
    # The German and French sites: every word handbook writes there is in their language, none is
    # left from the source language's build or in English (the footer, the colour toggles, the
    # switch's labels). The reference page documents program.yaml's English keys and is left out;
    # the switch names each language in itself ("English" stays).
    build, _ = built
    english, translated = _generator_words(language)
    # What the coordinator wrote in this language is theirs, words English has too ("planning"), and so
    # is the title of MENTOR's standards, a name the about page cites as it is.
    written = FIXTURE.glob(f"program.{language}.yaml") if language != "de" else [FIXTURE / "program.yaml"]
    theirs = {w.lower() for path in written for w in WORD.findall(path.read_text(encoding="utf-8"))}
    foreign = english - translated - theirs - {"english", "elements", "effective", "practice", "mentoring"}
    site = build / "site" / SITE[language]
    found = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "reference.html" or page.relative_to(site).parts[0] in ("en", "fr"):
            continue
        html = page.read_text(encoding="utf-8")
        labels = " ".join(re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', html))  # what a screen reader says
        found += [f"{page.relative_to(site)}: {word}" for word in WORD.findall(_text(page) + " " + labels)
                  if word.lower() in foreign]
    assert not found, found[:20]


def test_a_text_left_untranslated_falls_back_and_the_build_counts_it(built: tuple[Path, str]) -> None:
    build, output = built
    assert UNTRANSLATED[1] in _text(build / "site" / "fr" / "confidentiality.html")
    assert UNTRANSLATED[1] not in _text(build / "site" / "en" / "confidentiality.html")
    # The build says, per language, how many of the program's texts it has: all 73 in English, 72 in French.
    assert re.search(r"program\.en\.yaml\b.*\b73\b", output), output
    assert re.search(r"program\.fr\.yaml\b.*\b72\b.*\b73\b", output), output


def test_check_names_each_mistake_of_a_translation_by_file_and_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    french = project / "program.fr.yaml"
    translated = french.read_text(encoding="utf-8")
    # A translation whose source text changed since: stale, in both translations.
    changed = "Die Koordination bildet die Triade mit einer anderen Stationsleitung neu."
    source = project / "program.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "rematching: Die Koordination bildet die Triade neu.", f"rematching: {changed}"), encoding="utf-8")
    # A key program.yaml does not have, and a list where a text belongs: errors.
    text = translated.replace("  coordinator:\n", "  slogan: Ensemble, on va plus loin.\n  coordinator:\n", 1)
    text = re.sub(r"  tagline: .*\n", "  tagline: [Trois cadres de santé, un échange par mois]\n", text, count=1)
    french.write_text(text, encoding="utf-8")

    def line_of(text: str, start: str) -> int:
        return next(number for number, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith(start))

    result = run_cli("check", "--project", project)
    assert result.exit_code == 2, result.output
    for start in ("slogan:", "tagline:"):
        assert f"program.fr.yaml:{line_of(text, start)}:" in result.output, (start, result.output)
    # With the mistakes put right, the stale translation is listed at its line (it is no error: it still shows).
    french.write_text(translated, encoding="utf-8")
    result = run_cli("check", "--project", project)
    assert result.exit_code == 0, result.output
    stale = [line for line in result.output.splitlines() if "closure.rematching" in line]
    english = (project / "program.en.yaml").read_text(encoding="utf-8")
    assert [line.split(":")[0:2] for line in stale] == [["program.en.yaml", str(line_of(english, "rematching:"))],
                                                        ["program.fr.yaml", str(line_of(translated, "rematching:"))]]
    new_mark = hashlib.sha256(changed.encode("utf-8")).hexdigest()[:6]  # what the updated translation is marked
    assert all(f"# source {new_mark}" in line for line in stale), stale
