"""The handbook site in the program's language: the generator's words, dates, the theme and search
language; training sessions on the training pages; the program calendar offered for download; the
Matching page counting the groups the cohort really has, whatever their size."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import copy_example, one_language, small_with_cohort

from handbook import i18n
from handbook.commands.stage import load, render_pages
from handbook.errors import InputError
from handbook.load.locale import words
from handbook.output.engines import theme_language
from handbook.output.site import build_site
from handbook.render.calendars import render_calendars

# A second session of a module (a workshop held twice) and a session with its length instead of an end.
SESSIONS = """      sessions:
        - date: 2026-09-08
          start: "10:45"
          end: "12:15"
          place: Head office, training room 2
        - date: 2026-09-10
          start: "13:00"
          length_minutes: 90
          place: Online
"""


def _site(project: Path) -> Path:
    """Build the site alone, as `handbook build` renders it (the program's language set around rendering)."""
    loaded = load(project)
    site = project / "build" / "site"
    build_site(loaded, render_pages(loaded), site)
    return site


def _example(target: Path, language: str) -> Path:
    project = one_language(copy_example(target))
    program = project / "program.yaml"
    text = program.read_text(encoding="utf-8")
    first = 'sessions:\n        - date: 2026-09-08\n          start: "10:45"\n          end: "12:15"\n' \
            '          place: Head office, training room 2\n'
    assert text.count(first) == 1 and text.count("\n  language: en\n") == 1
    text = text.replace("      " + first, SESSIONS).replace("\n  language: en\n", f"\n  language: {language}\n")
    program.write_text(text, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _site(_example(tmp_path_factory.mktemp("german") / "project", "de"))


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _site(_example(tmp_path_factory.mktemp("english") / "project", "en"))


def text_of(site: Path, page: str) -> str:
    """Return the words of a page's article, tags removed, white space collapsed."""
    raw = (site / page).read_text(encoding="utf-8")
    article = re.search(r"<article[^>]*>(.*?)</article>", raw, re.S)
    words = re.sub(r"<[^>]+>", " ", article.group(1) if article else raw)
    return " ".join(html.unescape(words).split())


def navigation_of(site: Path) -> str:
    """Return the words of the home page's navigation (the whole site's, as the home page shows it)."""
    raw = (site / "index.html").read_text(encoding="utf-8")
    nav = raw.split("md-nav--primary", 1)[1].split("md-sidebar--secondary", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", nav)).split())


# --- German --------------------------------------------------------------------------------


def test_german_navigation_names_the_pages_in_german(german: Path) -> None:
    nav = navigation_of(german)
    for title in ("Überblick", "Nutzen", "Leitlinien", "Vertraulichkeit", "Schulung", "Herausforderungen",
                  "Handlungsleitfäden", "Über dieses Programm", "Vereinbarung und Downloads"):
        assert title in nav, title
    for english in ("Overview", "Guidelines", "Training", "Challenges", "Playbooks", "About this program",
                    "downloads"):
        assert english not in nav, english


def test_german_pages_have_german_headings_and_labels(german: Path) -> None:
    index = text_of(german, "index.html")
    assert "Warum es wichtig ist" in index and "Auf einen Blick" in index and "Dauer: 6 Monate" in index
    assert "1. September 2026" in index and "31. August 2027" in index
    guidelines = text_of(german, "guidelines.html")
    assert "Kommunikationswege" in guidelines and "Wie lange: 60 Minuten" in guidelines
    challenge = text_of(german, "challenges/power-dynamics.html")
    assert "Warnzeichen" in challenge
    for page, english in (("index.html", ["Why it matters", "At a glance", "Length:", "Find your way"]),
                          ("guidelines.html", ["How often:", "How long:", "Ground rules", "Communication channels"]),
                          ("challenges/power-dynamics.html", ["Warning signs", "What to do"]),
                          ("playbooks/foster-a-culture-of-trust.html", ["Addresses:", "Steps", "Who", "When"])):
        text = text_of(german, page)
        assert not [word for word in english if re.search(rf"\b{re.escape(word)}", text)], page


def test_german_downloads_page_offers_the_pdfs_and_the_program_calendar(german: Path) -> None:
    text = text_of(german, "downloads.html")
    assert "Dokumente zum Ausdrucken" in text and "Das Handbuch als Buch" in text and "Gültig ab: 1. September 2026" \
        in text
    assert "Programmkalender" in text
    assert "Printable documents" not in text and "Effective:" not in text and "Calendar" not in text
    raw = (german / "downloads.html").read_text(encoding="utf-8")
    assert 'href="downloads/calendar/program.ics"' in raw
    loaded = load(german.parents[1])
    with i18n.using(words(loaded.layout, loaded.program)):  # as the build writes build/calendar/program.ics
        calendar = render_calendars(loaded.program, loaded.cohort)["program.ics"]
    assert (german / "downloads" / "calendar" / "program.ics").read_bytes() == calendar
    assert b"Schulung" in calendar


def test_german_about_page_shows_what_is_covered_without_coordinator_to_dos(german: Path) -> None:
    text = text_of(german, "about.html")
    assert "Über dieses Programm" in text and "Standards guter Mentoring-Praxis" in text
    assert "gilt ab dem 1. September 2026" in text
    assert "Rückmeldegespräche in den Wochen 2, 4, 12 und 24" in text  # a plural, and the list as German joins it
    for english in ("Covered", "Missing", "To do", "weeks", "ways", "feedback channels"):
        assert english not in text, english
    assert "`" not in text


def test_german_theme_and_search_language(german: Path) -> None:
    raw = (german / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in raw
    assert "Suche" in raw
    index = (german / "search" / "search_index.js").read_text(encoding="utf-8")
    assert json.loads(re.search(r'"lang":(\[[^]]*\])', index).group(1)) == ["de"]


def test_german_training_pages_show_every_session_as_german_dates(german: Path) -> None:
    module = text_of(german, "training/active-listening.html")
    assert "Wann und wo" in module
    assert "Dienstag, 8. September 2026, 10:45–12:15 Uhr, Head office, training room 2" in module
    assert "Donnerstag, 10. September 2026, 13:00–14:30 Uhr, Online" in module  # the end from length_minutes
    curriculum = text_of(german, "training/index.html")
    assert "Schulungstermine" in curriculum
    assert "Dienstag, 1. September 2026, 14:00–15:00 Uhr, Online, link in the invitation: " \
           "Program orientation and the agreement" in curriculum
    assert "Donnerstag, 3. September 2026: Setting measurable goals" in curriculum  # a module held on a date only


# --- English -------------------------------------------------------------------------------


def test_english_site_keeps_its_words_and_shows_dates_as_english_writes_them(english: Path) -> None:
    raw = (english / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in raw
    nav = navigation_of(english)
    assert "Overview" in nav and "About this program" in nav and "Playbooks" in nav
    module = text_of(english, "training/active-listening.html")
    assert "When and where" in module
    assert "Tuesday, 8 September 2026, 10:45–12:15, Head office, training room 2" in module
    assert "Thursday, 10 September 2026, 13:00–14:30, Online" in module
    downloads = text_of(english, "downloads.html")
    assert "Effective: 1 September 2026" in downloads and "Program calendar (program.ics)" in downloads
    about = text_of(english, "about.html")
    assert "check-ins in weeks 2, 4, 12 and 24" in about and "Missing" not in about
    matching = text_of(english, "matching.html")
    assert "This cycle: 6 pairs and 1 triad." in matching  # counts from cohort.yaml, never names
    assert "Partner" not in matching.split("Rules no match breaks")[1].split("Your say")[0]


# --- groups of any size --------------------------------------------------------------------

TRIADS = """\
participants:
  - {id: ana, name: Ana Lima, email: ana@example.org}
  - {id: ben, name: Ben Okafor, email: ben@example.org}
  - {id: cai, name: Cai Wen, email: cai@example.org}
  - {id: dev, name: Dev Patel, email: dev@example.org}
  - {id: eva, name: Eva Berg, email: eva@example.org}
  - {id: fin, name: Fin Doyle, email: fin@example.org}
  - {id: gus, name: Gus Moreau, email: gus@example.org}
groups:
  - {id: one, members: [ana, ben, cai], start: 2026-02-02}
  - {id: two, members: [dev, eva, fin, gus], start: 2026-02-02}
"""


@pytest.mark.parametrize("language,expected,absent", [
    ("en", ["Groups have 3 members", "This cycle: 1 triad and 1 group of 4."], ["pair", "partner", "Partner"]),
    ("de", ["Gruppen haben 3 Mitglieder", "1 Gruppe mit 4 Personen"], ["Paar", "Partner", "triad", "Groups"]),
])
def test_matching_page_describes_the_groups_the_cohort_has(tmp_path: Path, language: str, expected: list[str],
                                                           absent: list[str]) -> None:
    project = small_with_cohort(tmp_path / "project", TRIADS)
    program = project / "program.yaml"
    text = program.read_text(encoding="utf-8").replace("matching:\n", "matching:\n  group_size: 3\n", 1)
    program.write_text(re.sub(r"(?m)^  language: \w+\n", "", text).replace(
        "program:\n", f"program:\n  language: {language}\n", 1), encoding="utf-8")
    loaded = load(project)
    page = render_pages(loaded).pages["matching.md"]
    rules = page.split("\n## ")[2]  # the rules: the summary and the participants' say are the program's words
    for phrase in expected:
        assert phrase in rules, phrase
    for phrase in absent:
        assert phrase not in rules, phrase
    for person in ("Ana Lima", "ana@example.org", "Gus"):  # counts only: no one's name reaches the site
        assert person not in page


# --- the theme's language ------------------------------------------------------------------


@pytest.mark.parametrize("tag,expected", [("en", "en"), ("de", "de"), ("de-CH", "de"), ("pt-BR", "pt-BR"),
                                          ("no", "nb"), ("gsw", "en")])
def test_the_theme_gets_a_language_it_has(tag: str, expected: str) -> None:
    """mkdocs-material fails on a language it has no words for: the nearest it has, else English."""
    assert theme_language(tag, "material") == expected


# --- sessions in program.yaml ----------------------------------------------------------------


@pytest.mark.parametrize("session,expected", [
    ('{date: 2026-01-12, start: "09:00", end: "08:30"}', "the end is not after the start (09:00)"),
    ('{date: 2026-01-12, start: "09:00", end: "10:00", length_minutes: 60}',
     "give either `end` or `length_minutes`, not both"),
])
def test_a_session_that_cannot_be_is_a_located_problem(small_project: Path, session: str, expected: str) -> None:
    program = small_project / "program.yaml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text.replace("      addresses: [busy]\n", f"      addresses: [busy]\n      sessions:\n"
                                                                  f"        - {session}\n", 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(small_project)
    [problem] = caught.value.problems
    line = text.splitlines().index("      addresses: [busy]") + 3
    assert (problem.file, problem.line) == ("program.yaml", line) and expected in problem.message
