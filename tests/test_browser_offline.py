"""The offline copy: build/handbook-site.zip, unpacked and opened from file:// in Chromium, search included."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

pytest.register_assert_rewrite("browser")  # before the import: it is a plugin of these tests
from browser import Contexts, Example, search, unzip  # noqa: E402
from conftest import build_file_tree

from handbook.output.offline import FOLDER, package_site

pytest_plugins = ["browser"]  # the browser, the served example and their fixtures


@pytest.fixture(scope="module")
def unpacked(example: Example, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline copy unpacked into a folder of its own; returns the folder holding index.html."""
    return unzip(example.offline_zip, tmp_path_factory.mktemp("offline")) / FOLDER


@pytest.fixture
def from_disk(browser: Any) -> Iterator[Contexts]:
    """Browser contexts for pages opened from file://; afterwards, no request may have left the disk."""
    opened = Contexts(browser, None)
    yield opened
    opened.close()
    assert opened.requests and not opened.foreign("file://"), sorted(set(opened.foreign("file://")))
    # The theme's language switch reads sitemap.xml beside each hreflang link, as in any mkdocs-material
    # site with `extra.alternate`; from disk the browser refuses it (nothing shows), served it is found.
    assert not [error for error in opened.errors if not error.endswith("/sitemap.xml: net::ERR_FAILED")], opened.errors


def test_the_zip_holds_the_whole_site_in_one_folder(example: Example) -> None:
    with zipfile.ZipFile(example.offline_zip) as archive:
        names = archive.namelist()
    assert names == sorted(names) and all(name.startswith(f"{FOLDER}/") for name in names)
    site_files = sorted(p.relative_to(example.site).as_posix() for p in example.site.rglob("*")
                        if p.is_file() and p.suffix != ".map")
    assert [name.removeprefix(f"{FOLDER}/") for name in names] == site_files
    for needed in ("index.html", "search/search_index.js", "assets/iframe-worker.js"):
        assert f"{FOLDER}/{needed}" in names


def test_no_page_of_the_copy_names_another_host_to_load_from(unpacked: Path) -> None:
    # The offline plugin would add its Web Worker shim from a CDN; handbook ships its own.
    for path in unpacked.rglob("*.html"):
        assert "unpkg.com" not in path.read_text(encoding="utf-8"), path.name


def test_the_copy_works_from_file_urls(unpacked: Path, from_disk: Contexts) -> None:
    page = from_disk.page()
    page.goto((unpacked / "index.html").as_uri())
    assert page.locator("article h1").first.is_visible()
    page.locator("nav.md-nav--primary a.md-nav__link[href='guidelines.html']").first.click()
    page.wait_for_url("**/guidelines.html")
    assert page.locator("article h1").first.inner_text().strip() == "Guidelines"
    page.locator("nav.md-nav--primary a.md-nav__link[href='training/index.html']").first.click()
    page.wait_for_url("**/training/index.html")
    page.locator("article a[href='active-listening.html']").first.click()
    page.wait_for_url("**/training/active-listening.html")
    assert page.locator("link[href$='handbook.css']").count() == 1
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"


@pytest.mark.parametrize("query,target", [("confidentiality", "confidentiality.html"),
                                          ("power dynamics", "challenges/power-dynamics.html")])
def test_search_works_from_file_urls(unpacked: Path, from_disk: Contexts, query: str, target: str) -> None:
    page = from_disk.page()
    page.goto((unpacked / "training" / "index.html").as_uri())
    results = search(page, query)
    # Result links carry the query (?h=...) and a section (#...): compare the page alone.
    pages = [urlsplit(href)._replace(query="", fragment="").geturl()
             for href in results.evaluate_all("links => links.map(link => link.href)")]
    wanted = (unpacked / target).as_uri()
    assert wanted in pages, pages
    results.nth(pages.index(wanted)).click()
    page.wait_for_url(f"**/{target}*")
    assert query in page.locator("article").inner_text().lower()


def test_the_zip_is_the_same_bytes_for_the_same_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = build_file_tree(tmp_path / "site", {"index.html": "<!doctype html>", "assets/a.css": "a{}",
                                               "assets/a.js.map": "{}", "search/search_index.js": "var __index = {}"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    first = package_site(site, tmp_path / "first.zip").read_bytes()
    (site / "assets" / "a.css").touch()
    second = package_site(site, tmp_path / "second.zip").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "first.zip") as archive:
        assert archive.namelist() == [f"{FOLDER}/assets/a.css", f"{FOLDER}/index.html",
                                      f"{FOLDER}/search/search_index.js"]
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
