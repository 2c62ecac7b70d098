"""The handbook in three languages as participants meet it, in Chromium: the language switch leads to the
same page in the other languages, search in German finds German words and only German pages, axe finds
no violations and no page is wider than a phone in any language, served and from the offline copy.

The site is `handbook build` of the three-language fixture (tests/fixtures/dreisprachig): German, the
source, at the site's root; English in en/ and French in fr/, each with its own FAQ.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

pytest.register_assert_rewrite("browser")  # before the import: it is a plugin of these tests
from browser import PHONE, Contexts, search, serve, settle, unzip  # noqa: E402
from conftest import ROOT, run_cli, source_date  # noqa: E402
from test_a11y import axe, report  # noqa: E402

from handbook.output.offline import FOLDER  # noqa: E402

pytest_plugins = ["browser"]  # the browser and its fixtures

FIXTURE = ROOT / "tests" / "fixtures" / "dreisprachig"
NAMES = ["Deutsch", "English", "Français"]  # the switch, in the program's order, each in itself
FOLDERS = ("", "en/", "fr/")
PAGE = "training/auftakt.html"
PAGES = ("index.html", "guidelines.html", "faq.html", PAGE, "challenges/dienstplan.html")
GERMAN_WORD = "Arbeitszeit"  # in the German FAQ only ("Die Treffen finden in der Arbeitszeit statt")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three-language fixture built by `handbook build`: its build/ folder."""
    project = tmp_path_factory.mktemp("languages") / "project"
    shutil.copytree(FIXTURE, project)
    with source_date():
        result = run_cli("build", "--project", project)
    assert result.exit_code == 0, result.output
    return project / "build"


@pytest.fixture(scope="module")
def url(build: Path) -> Iterator[str]:
    with serve(build / "site") as base:
        yield base


@pytest.fixture
def contexts(browser: Any, url: str) -> Iterator[Contexts]:
    """Browser contexts for one test; afterwards, no request left the site's host, none failed."""
    opened = Contexts(browser, url)
    yield opened
    opened.close()
    assert not opened.foreign(url.rstrip("/")), sorted(set(opened.foreign(url.rstrip("/"))))
    assert not opened.errors, opened.errors


def _path(page: Any, base: str) -> str:
    return urlsplit(page.url).path.removeprefix(urlsplit(base).path)


def open_switch(page: Any) -> Any:
    """Open the header's language switch and return its links."""
    page.locator(".md-select > button.md-header__button").first.click()
    links = page.locator(".md-select__inner a.md-select__link")
    links.first.wait_for(state="visible")
    settle(page)
    return links


@pytest.mark.parametrize("start,language,target", [(f"en/{PAGE}", "Deutsch", PAGE),
                                                   (PAGE, "Français", f"fr/{PAGE}"),
                                                   ("fr/faq.html", "English", "en/faq.html"),
                                                   ("index.html", "English", "en/index.html")])
def test_the_switch_leads_to_the_same_page_in_the_other_language(contexts: Contexts, url: str, start: str,
                                                                 language: str, target: str) -> None:
    page = contexts.page()
    page.goto(start)
    links = open_switch(page)
    assert links.all_inner_texts() == NAMES
    links.get_by_text(language, exact=True).click()
    page.wait_for_url(f"{url}{target}")
    assert page.evaluate("document.documentElement.lang") == {"Deutsch": "de", "English": "en", "Français": "fr"}[language]
    assert page.locator("article h1").first.is_visible()


def _results(page: Any, url: str, query: str) -> list[str]:
    results = search(page, query)
    return [urlsplit(href).path.removeprefix(urlsplit(url).path)
            for href in results.evaluate_all("links => links.map(link => link.href)")]


def test_search_in_german_finds_german_words_and_only_german_pages(contexts: Contexts, url: str) -> None:
    page = contexts.page()
    page.goto("index.html")
    hrefs = _results(page, url, GERMAN_WORD)
    assert "faq.html" in hrefs, hrefs
    assert not [href for href in hrefs if href.startswith(("en/", "fr/"))], hrefs
    # The English site's search knows its own pages only: the German word is in none of them.
    english = contexts.page()
    english.goto("en/index.html")
    field = english.locator("input.md-search__input")
    hrefs = _results(english, url, "working time")
    assert "en/faq.html" in hrefs and all(href.startswith("en/") for href in hrefs), hrefs
    field.fill(GERMAN_WORD)
    field.press("End")
    english.locator(".md-search-result__meta").get_by_text("No matching documents").wait_for()
    assert english.locator(".md-search-result__item").count() == 0



WIDEST = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


@pytest.mark.parametrize("language", FOLDERS)
def test_axe_finds_nothing_and_no_page_is_wider_than_a_phone_in_each_language(contexts: Contexts,
                                                                               language: str) -> None:
    desktop, phone = contexts.with_axe(), contexts.with_axe(viewport=PHONE, is_mobile=True, has_touch=True)
    found: dict[str, list[dict[str, Any]]] = {}
    for path in PAGES:
        desktop.goto(f"{language}{path}")
        open_switch(desktop)  # the switch's open list is checked too
        found[f"{language}{path} (switch open)"] = axe(desktop)
        phone.goto(f"{language}{path}")
        found[f"{language}{path} (phone)"] = axe(phone)
        assert phone.evaluate(WIDEST) <= PHONE["width"], f"{language}{path} is wider than a phone"
        open_switch(phone)
        assert phone.evaluate(WIDEST) <= PHONE["width"], f"{language}{path} with the switch open is wider than a phone"
    assert not any(found.values()), report(found)


def test_no_page_of_any_language_is_wider_than_a_phone(build: Path, contexts: Contexts) -> None:
    site = build / "site"
    page = contexts.page(viewport=PHONE, is_mobile=True, has_touch=True)
    paths = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html")
    assert len(paths) > 3 * len(PAGES)
    wide = []
    for path in paths:
        page.goto(path)
        if page.evaluate(WIDEST) > PHONE["width"]:
            wide.append(path)
    assert not wide, f"wider than a phone: {wide}"


def test_the_offline_copy_switches_languages_and_searches_in_german_from_disk(build: Path, browser: Any,
                                                                              tmp_path: Path) -> None:
    unpacked = unzip(build / "handbook-site.zip", tmp_path / "unpacked") / FOLDER
    opened = Contexts(browser, None)
    try:
        page = opened.page()
        page.goto((unpacked / "en" / PAGE).as_uri())
        open_switch(page).get_by_text("Français", exact=True).click()
        page.wait_for_url((unpacked / "fr" / PAGE).as_uri())
        open_switch(page).get_by_text("Deutsch", exact=True).click()
        page.wait_for_url((unpacked / PAGE).as_uri())
        results = search(page, GERMAN_WORD)
        hrefs = [href.split("?")[0].split("#")[0] for href in results.evaluate_all("links => links.map(l => l.href)")]
        assert (unpacked / "faq.html").as_uri() in hrefs, hrefs
        assert not [href for href in hrefs if href.startswith(((unpacked / "en").as_uri(), (unpacked / "fr").as_uri()))]
    finally:
        opened.close()
    assert opened.requests and not opened.foreign("file://"), sorted(set(opened.foreign("file://")))
    # The theme's script reads sitemap.xml beside each hreflang link, as in any mkdocs-material site
    # with a language switch; from disk the browser refuses it (nothing shows), served it is found.
    assert not [error for error in opened.errors if not error.endswith("/sitemap.xml: net::ERR_FAILED")], opened.errors


def test_screenshots_of_a_german_page_with_the_switch_open(contexts: Contexts, tmp_path: Path) -> None:
    """Pictures for a person to look at (kept in SCREENSHOTS when set); the switch stays on the screen."""
    keep = os.environ.get("SCREENSHOTS")
    for name, options in (("desktop", {}), ("phone", {"viewport": PHONE, "is_mobile": True, "has_touch": True})):
        page = contexts.page(**options)
        page.goto(PAGE)
        links = open_switch(page)
        assert all(box := [links.nth(i).bounding_box() for i in range(links.count())])
        width = page.viewport_size["width"]
        assert all(0 <= b["x"] and b["x"] + b["width"] <= width for b in box if b), f"{name}: the switch leaves the screen"
        shot = tmp_path / f"de-{name}.png"
        page.screenshot(path=str(shot))
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, Path(keep) / shot.name)
