"""A German program in triads, built whole in German and in French, reads that language everywhere.

The fixture (tests/fixtures/stationsleitung) is what the issue tried as a new user: a German
programme for new ward managers meeting in triads. Every word a reader sees is either the
coordinator's (German, printed as written) or the generator's (from the German catalog). The
test counts the generator's English words in everything built, per 1,000 words read, the figure
the issue measured at about 180; and checks the language tags a screen reader and a search
engine read.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from handbook import i18n
from tests.conftest import ROOT, run_cli, source_date

FIXTURE = ROOT / "tests" / "fixtures" / "stationsleitung"
WORD = re.compile(r"[^\W\d_]{4,}")  # words of four letters or more: "und", "the", "of" say nothing


class _Text(HTMLParser):
    """The text a reader sees on a page: no scripts, styles or the search index."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "svg"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.parts)


def _words(texts: list[str]) -> list[str]:
    return [w for text in texts for w in WORD.findall(text)]


def _catalog_words(path: Path, translated: bool) -> set[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        values = message.string if translated else message.id
        for value in (values if isinstance(values, tuple) else (values,)):
            found |= {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)\w", " ", value or ""))}
    return found


@pytest.fixture(scope="module", params=["de", "fr"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The fixture built whole in German, and again with `language: fr` (German text, French generator)."""
    language = request.param
    project = tmp_path_factory.mktemp(language) / "project"
    shutil.copytree(FIXTURE, project)
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("  language: de\n", f"  language: {language}\n"),
                       encoding="utf-8")
    with source_date():
        result = run_cli("build", "--project", project)
    assert result.exit_code == 0, result.output
    return language, project / "build"


def test_the_generator_writes_no_english(built: tuple[str, Path]) -> None:
    # English: every word of the generator's messages that the language's catalog does not also
    # use ("Workshop", "Version") and the coordinator's German text does not use either.
    language, build = built
    english = _catalog_words(i18n.LOCALE_DIR / "handbook.pot", translated=False)
    english -= _catalog_words(i18n.LOCALE_DIR / language / "LC_MESSAGES" / "handbook.po", translated=True)
    english -= {w.lower() for w in WORD.findall((FIXTURE / "program.yaml").read_text(encoding="utf-8"))}
    english -= {w.lower() for w in WORD.findall((FIXTURE / "cohort.yaml").read_text(encoding="utf-8"))}
    # The reference page documents program.yaml's keys and the model's descriptions, which are English.
    texts = [_page_text(p) for p in sorted((build / "site").rglob("*.html"))
             if "assets" not in p.parts and p.name != "reference.html"]
    pdfs = sorted((build / "pdf").rglob("*.pdf"))
    texts += [page.extract_text() or "" for pdf in pdfs for page in PdfReader(pdf).pages]
    for path in sorted((build / "calendar").rglob("*.ics")):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        texts += [str(event.get(key, "")) for event in calendar.walk("VEVENT")
                  for key in ("SUMMARY", "DESCRIPTION", "LOCATION")]
    words = _words(texts)
    hits = [w for w in words if w.lower() in english]
    per_thousand = 1000 * len(hits) / len(words)
    common = sorted({w for w in hits}, key=lambda w: -hits.count(w))[:40]
    assert len(words) > 5000, "the build is too small to judge"
    print(f"{language}: {per_thousand:.1f} English words per 1,000 ({len(hits)} of {len(words)})")
    assert per_thousand < 2, f"{per_thousand:.1f} English words per 1,000 ({len(hits)} of {len(words)}): {common}"


def test_every_output_says_its_language(built: tuple[str, Path]) -> None:
    language, build = built
    for page in sorted((build / "site").rglob("*.html"))[:20]:
        assert f'<html lang="{language}"' in page.read_text(encoding="utf-8"), page
    for pdf in sorted((build / "pdf").rglob("*.pdf")):
        assert str(PdfReader(pdf).trailer["/Root"].get("/Lang")) == language, pdf
