"""One site in several languages, as the site engines build it (no browser): the source language at the
site's root, every other in its own folder; on every page a language switch and hreflang links that
lead to the same page in each language; a search index per language in its language; the offline
copy with every language; a site in one language exactly as before, without a switch.

The sites are built from copies of the small golden project, one per language (the German one with
`language: de` and a German FAQ), by `build_sites` as `handbook build` calls it.
"""

from __future__ import annotations

import json
import posixpath
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SMALL, build_file_tree, tree_digest

from handbook.commands.stage import load, render_pages
from handbook.output.offline import FOLDER, package_site
from handbook.output.site import build_site, build_sites, language_name

GERMAN_FAQ = """---
title: Häufige Fragen
---

# Häufige Fragen

**Wie lange dauert es?** Drei Monate. Die Vertrauensperson im Programm hilft weiter.
Siehe die [Leitlinien](guidelines.md).
"""


class _Links(HTMLParser):
    """Collects the language switch's links and the head's hreflang links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.switch: dict[str, tuple[str, str]] = {}  # hreflang -> (href, the name shown)
        self.hreflang: dict[str, str] = {}  # hreflang -> href of <link rel="alternate">
        self.canonical = ""
        self.current: list[str] = []  # hreflang of the switch's links marked aria-current
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and "md-select__link" in (found.get("class") or "") and found.get("hreflang"):
            self._open = found["hreflang"]
            self.switch[self._open] = (found.get("href") or "", "")
            if found.get("aria-current"):
                self.current.append(self._open)
        elif tag == "link" and found.get("rel") == "alternate" and found.get("hreflang"):
            self.hreflang[found["hreflang"] or ""] = found.get("href") or ""
        elif tag == "link" and found.get("rel") == "canonical":
            self.canonical = found.get("href") or ""

    def handle_data(self, data: str) -> None:
        if self._open and data.strip():
            href, _name = self.switch[self._open]
            self.switch[self._open] = (href, data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open = None


def links(site: Path, page: str) -> _Links:
    parser = _Links()
    parser.feed((site / page).read_text(encoding="utf-8"))
    return parser


def resolve(page: str, href: str) -> str:
    """Return the path below the site's root that `href` on `page` (both relative to the root) leads to."""
    assert not href.startswith(("/", "http:", "https:", "//")), f"{page}: {href} is not relative"
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), href))


def project(target: Path, language: str, files: dict[str, str] | None = None, settings: str | None = None) -> Path:
    shutil.copytree(SMALL, target, ignore=shutil.ignore_patterns("build", ".handbook"))
    program = target / "program.yaml"
    text = program.read_text(encoding="utf-8")
    assert text.count("\n  language: en\n") == 1
    program.write_text(text.replace("\n  language: en\n", f"\n  language: {language}\n"), encoding="utf-8")
    if settings is not None:
        (target / "mkdocs.yml").write_text(settings, encoding="utf-8")
    return build_file_tree(target, files or {})


def build(site: Path, *projects: Path, engine: str = "mkdocs") -> Path:
    sites = []
    for root in projects:
        loaded = load(root)
        sites.append((loaded, render_pages(loaded)))
    build_sites(sites, site, engine)
    return site


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site in English (the source, at the root) and German (in de/)."""
    work = tmp_path_factory.mktemp("two-languages")
    english = project(work / "en", "en")
    german = project(work / "de", "de", {"content/faq.md": GERMAN_FAQ})
    return build(work / "site", english, german)


def pages(site: Path) -> list[str]:
    """Return the site's pages of the source language (no language folder, no 404 page)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith("de/") and p.name != "404.html")


def test_each_language_is_a_whole_site_in_its_folder(two: Path) -> None:
    assert (two / "index.html").is_file() and (two / "de" / "index.html").is_file()
    english = pages(two)
    assert len(english) > 10
    for page in english:
        assert (two / "de" / page).is_file(), f"de/{page} is missing"
    assert '<html lang="en"' in (two / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in (two / "de" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ["index.html", "guidelines.html", "faq.html"])
def test_the_switch_leads_to_the_same_page_in_the_other_language(two: Path, page: str) -> None:
    subfolder = next(p for p in pages(two) if "/" in p and not p.startswith(("search/", "assets/")))
    for here in (page, subfolder):
        english, german = links(two, here), links(two, f"de/{here}")
        assert {lang: name for lang, (_href, name) in english.switch.items()} == {"en": "English", "de": "Deutsch"}
        assert resolve(here, english.switch["de"][0]) == f"de/{here}"
        assert resolve(here, english.switch["en"][0]) == here  # the current language is listed too
        assert resolve(f"de/{here}", german.switch["en"][0]) == here
        assert resolve(f"de/{here}", german.switch["de"][0]) == f"de/{here}"
        assert german.switch["en"][0].startswith("../"), "the way up out of de/ must not be lost"
        assert english.current == ["en"] and german.current == ["de"]  # the page's own language is marked


def test_every_page_has_hreflang_links_to_itself_in_every_language(two: Path) -> None:
    for page in pages(two):
        for language, here in (("en", page), ("de", f"de/{page}")):
            found = links(two, here).hreflang
            assert set(found) == {"en", "de"}, f"{here}: {found}"
            assert resolve(here, found["en"]) == page and resolve(here, found["de"]) == f"de/{page}", here
            assert (two / resolve(here, found["en"])).is_file() and (two / resolve(here, found["de"])).is_file()
            assert resolve(here, found[language]) == here


def test_the_theme_finds_a_sitemap_beside_every_page_a_hreflang_link_leads_to(two: Path) -> None:
    # mkdocs-material's script reads sitemap.xml in the folder of each hreflang link: no request may fail.
    for page in pages(two):
        for here in (page, f"de/{page}"):
            for href in links(two, here).hreflang.values():
                assert (two / posixpath.dirname(resolve(here, href)) / "sitemap.xml").is_file(), f"{here}: {href}"


def test_the_404_pages_lead_to_each_language_home_and_keep_their_own_language(two: Path) -> None:
    german = (two / "de" / "404.html").read_text(encoding="utf-8")
    assert links(two, "de/404.html").hreflang == {"en": "/index.html", "de": "/de/index.html"}
    # MkDocs writes an error page's links from the server's root: the German one's lead into de/.
    assert 'href="/de/assets/handbook.css"' in german and 'href="/de/guidelines.html"' in german
    assert 'href="/guidelines.html"' not in german
    english = (two / "404.html").read_text(encoding="utf-8")
    assert 'href="/guidelines.html"' in english and 'href="/de/guidelines.html"' not in english


def _index(site: Path) -> dict[str, object]:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))


def test_each_language_has_its_own_search_index_in_its_language(two: Path) -> None:
    english, german = _index(two), _index(two / "de")
    assert english["config"]["lang"] == ["en"] and german["config"]["lang"] == ["de"]  # type: ignore[index]
    german_text = json.dumps(german, ensure_ascii=False)
    english_text = json.dumps(english, ensure_ascii=False)
    assert "Vertrauensperson" in german_text and "Vertrauensperson" not in english_text
    assert "Three months" in english_text and "Three months" not in german_text
    assert all(not doc["location"].startswith("de/") for doc in german["docs"])  # type: ignore[index]
    # The offline plugin's copy of each index, which search reads from file://
    assert (two / "de" / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index = ")


def test_the_worker_shim_is_found_from_every_language_folder(two: Path) -> None:
    for here in ("de/index.html", "de/guidelines.html"):
        text = (two / here).read_text(encoding="utf-8")
        start = text.index('iframe-worker.js"')
        src = text[text.rindex('src="', 0, start) + 5:start + len("iframe-worker.js")]
        assert (two / resolve(here, src)).is_file(), f"{here}: {src}"
        assert "unpkg.com" not in text


def test_the_offline_copy_holds_every_language(two: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package_site(two, tmp_path / "site.zip")) as archive:
        names = set(archive.namelist())
    for language in ("", "de/"):
        for needed in ("index.html", "faq.html", "search/search_index.js", "assets/iframe-worker.js"):
            assert f"{FOLDER}/{language}{needed}" in names


def test_a_site_in_one_language_has_no_switch_and_is_built_as_before(tmp_path: Path) -> None:
    root = project(tmp_path / "en", "en")
    one = build(tmp_path / "one", root)
    loaded = load(root)
    build_site(loaded, render_pages(loaded), tmp_path / "before")
    assert tree_digest(one) == tree_digest(tmp_path / "before")
    for page in ("index.html", "guidelines.html"):
        found = links(one, page)
        assert not found.switch and not found.hreflang
        assert "md-select" not in (one / page).read_text(encoding="utf-8")
    assert not (one / "de").exists()


SETTINGS = """theme:
  name: material
site_url: https://intranet.example.org/handbook/
extra:
  alternate:
    - name: Somewhere else
      link: https://example.com/
      lang: xx
"""


def test_a_coordinators_own_switch_gives_way_to_the_languages_and_site_url_to_each_folder(tmp_path: Path) -> None:
    english = project(tmp_path / "en", "en", settings=SETTINGS)
    site = build(tmp_path / "site", english, project(tmp_path / "de", "de", settings=SETTINGS))
    for here in ("guidelines.html", "de/guidelines.html"):
        text = (site / here).read_text(encoding="utf-8")
        assert "example.com" not in text and "Somewhere else" not in text
        assert set(links(site, here).switch) == {"en", "de"}
    assert links(site, "de/guidelines.html").canonical == "https://intranet.example.org/handbook/de/guidelines.html"
    assert links(site, "guidelines.html").canonical == "https://intranet.example.org/handbook/guidelines.html"
    assert "<loc>https://intranet.example.org/handbook/de/guidelines.html</loc>" in \
        (site / "de" / "sitemap.xml").read_text(encoding="utf-8")
    # A site in one language keeps the coordinator's switch as written.
    one = build(tmp_path / "one", english)
    assert links(one, "guidelines.html").switch == {"xx": ("https://example.com/", "Somewhere else")}


def test_the_zensical_engine_builds_each_language_with_a_switch_to_their_home_pages(tmp_path: Path) -> None:
    pytest.importorskip("zensical")
    site = build(tmp_path / "site", project(tmp_path / "en", "en"),
                 project(tmp_path / "de", "de", {"content/faq.md": GERMAN_FAQ}), engine="zensical")
    assert "Vertrauensperson" in (site / "de" / "faq.html").read_text(encoding="utf-8")
    assert "Vertrauensperson" not in (site / "faq.html").read_text(encoding="utf-8")
    for here in ("faq.html", "de/faq.html"):
        found = links(site, here)
        assert {lang: resolve(here, href) for lang, (href, _name) in found.switch.items()} == \
            {"en": "index.html", "de": "de/index.html"}
        assert {lang: resolve(here, href) for lang, href in found.hreflang.items()} == \
            {"en": "index.html", "de": "de/index.html"}


@pytest.mark.parametrize("tag,name", [("en", "English"), ("de", "Deutsch"), ("fr", "Français"),
                                      ("de-CH", "Deutsch (Schweiz)"), ("pt-BR", "Português (Brasil)"), ("qq", "qq")])
def test_each_language_is_named_in_itself(tag: str, name: str) -> None:
    assert language_name(tag) == name
