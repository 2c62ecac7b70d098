"""Hostile text in program.yaml never runs in a reader's browser: it is shown exactly as written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.register_assert_rewrite("browser")
from browser import Contexts, serve  # noqa: E402
from conftest import SMALL, run_cli, site_only  # noqa: E402

pytest_plugins = ["browser"]

SCRIPT = "<script>window.__pwned = 'script'</script>"
IMAGE = '<img src=x onerror="window.__pwned = \'onerror\'">'
TEMPLATE = "{{ 7*7 }} {% if true %}yes{% endif %}"
# (text in the small program, what replaces it: the same key with a hostile value, the page that shows it)
HOSTILE = [
    ("title: Time constraints", "title", SCRIPT, "challenges/busy.html"),
    ("description: Busy schedules.", "description", f"{IMAGE} and [click me](javascript:window.__pwned=1)",
     "challenges/busy.html"),
    ("      - Cancelled sessions", "      -", TEMPLATE, "challenges/busy.html"),
    ("title: Allocate time", "title", "</title><script>window.__pwned='title'</script>", "playbooks/allocate-time.html"),
    ("title: Risk of harm", "title", 'Risk "of" harm <b onmouseover=alert(1)>x</b>', "confidentiality.html"),
    ("    - Be on time", "    -", '<iframe src="javascript:alert(1)"></iframe>', "guidelines.html"),
    ("summary: A *small* peer mentoring circle.", "summary",
     '<svg onload="window.__pwned=1"></svg> [x](  JaVaScRiPt:alert(1) ) <style>body{display:none}</style>',
     "index.html"),
]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(SMALL, project, ignore=shutil.ignore_patterns("build", ".handbook"))
    program = project / "program.yaml"
    text = program.read_text(encoding="utf-8")
    for old, key, value, _page in HOSTILE:
        assert old in text, old
        separator = " " if key.endswith("-") else ": "
        text = text.replace(old, key + separator + json.dumps(value), 1)
    program.write_text(text, encoding="utf-8")
    with serve(site_only(project)) as url:
        yield url


def _open(contexts: Contexts, page: str) -> tuple[Any, list[str]]:
    """Open `page` in a new tab that records (and dismisses) every dialog a script opens."""
    dialogs: list[str] = []
    tab = contexts.page()
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(page)
    tab.wait_for_load_state("networkidle")
    return tab, dialogs


@pytest.mark.parametrize("page", sorted({h[3] for h in HOSTILE}))
def test_hostile_values_do_not_run_and_show_as_written(browser: Any, hostile_site: str, page: str) -> None:
    contexts = Contexts(browser, hostile_site)
    tab, dialogs = _open(contexts, page)
    for link in tab.locator("article a").all():
        href = (link.get_attribute("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), href
    tab.mouse.move(200, 300)
    assert tab.evaluate("window.__pwned") is None
    assert not dialogs
    article = tab.locator("article").inner_text()
    for _old, _key, new, where in HOSTILE:
        if where != page:
            continue
        if SCRIPT in new:
            assert SCRIPT in article
        if TEMPLATE in new:
            assert TEMPLATE in article
        if "<img" in new:
            assert "<img src=x onerror=" in article
    assert tab.locator("article script, article img[onerror], article iframe, article svg[onload]").count() == 0
    assert tab.locator("article").is_visible()
    own = hostile_site.rstrip("/")
    assert not contexts.foreign(own), contexts.foreign(own)
    assert not contexts.errors, contexts.errors
    contexts.close()


# Markdown that Python-Markdown itself turns into script or into requests to another host: attribute
# lists, a reference-style definition, images and styles. `{anchor}` is a heading of the page.
ATTACKS = "\n\n".join([
    "Hover this paragraph.\n{{: onmouseover=\"window.__pwned='attr list on a paragraph'\" }}",
    "[Click this link](#{anchor}){{: onclick=\"window.__pwned='attr list on a link'\" }}",
    "[Click this too](#{anchor}){{: href=\"javascript:void(window.__pwned='attr list href')\" }}",
    "[Click the reference][pwn]\n\n[pwn]: javascript:void(window.__pwned='reference')",
    '<img src="http://example.org/raw-image.png" alt="raw image">',
    "![markdown image](http://example.org/markdown-image.png)",
    '<p style="background:url(http://example.org/style-attribute.png)">Styled paragraph.</p>',
    "Styled by an attribute list.\n{{: style=\"background:url(http://example.org/attr-style.png)\" }}",
])


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def attacked_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The small program's site (no PDFs) with every attack in a Markdown field and in a content page."""
    project = tmp_path_factory.mktemp(f"attacked-{request.param}") / "project"
    shutil.copytree(SMALL, project, ignore=shutil.ignore_patterns("build", ".handbook"))
    program = project / "program.yaml"
    text = program.read_text(encoding="utf-8")
    assert "description: New perspectives." in text
    field = json.dumps(ATTACKS.format(anchor="benefits"))  # shown on benefits.html, under `# Benefits`
    program.write_text(text.replace("description: New perspectives.", f"description: {field}"), encoding="utf-8")
    (project / "content" / "notes.md").write_text(
        f"---\ntitle: Notes\n---\n\n# Notes\n\n{ATTACKS.format(anchor='notes')}\n", encoding="utf-8")
    with serve(site_only(project, request.param)) as url:
        yield url


@pytest.mark.parametrize("page", ["benefits.html", "notes.html"])
def test_markdown_runs_no_script_and_loads_nothing_from_other_hosts(browser: Any, attacked_site: str,
                                                                    page: str) -> None:
    contexts = Contexts(browser, attacked_site)
    tab, dialogs = _open(contexts, page)
    article = tab.locator("article")
    for text in ("Hover this paragraph.", "Styled by an attribute list."):
        article.get_by_text(text).hover()
        assert tab.evaluate("window.__pwned") is None, f"hovering {text!r} ran a script"
    for text in ("Click this link", "Click this too", "Click the reference"):
        article.get_by_text(text, exact=True).click()
        assert tab.evaluate("window.__pwned") is None, f"clicking {text!r} ran a script"
    tab.wait_for_load_state("networkidle")
    assert not dialogs
    assert tab.locator("article [style], article [onmouseover], article [onclick], article img[src]").count() == 0
    for link in tab.locator("article a").all():
        assert not (link.get_attribute("href") or "").strip().lower().startswith("javascript:")
    own = attacked_site.rstrip("/")
    assert not contexts.foreign(own), contexts.foreign(own)
    contexts.close()


def test_hostile_values_reach_pdfs_as_text_not_markup(tmp_path: Path) -> None:
    from pypdf import PdfReader

    project = tmp_path / "project"
    shutil.copytree(SMALL, project, ignore=shutil.ignore_patterns("build", ".handbook"))
    program = project / "program.yaml"
    hostile = f"{SCRIPT} <b>bold</b> {TEMPLATE} [x](javascript:window.__pwned=1)"
    text = program.read_text(encoding="utf-8").replace("summary: A *small* peer mentoring circle.",
                                                        "summary: " + json.dumps(hostile))
    program.write_text(text, encoding="utf-8")
    assert run_cli("build", "--project", project).exit_code == 0
    for pdf in ("agreements/terms.pdf", "handbook.pdf"):  # the terms carry the overview
        shown = " ".join(" ".join(page.extract_text() for page in PdfReader(project / "build" / "pdf" / pdf).pages)
                         .split())  # a long value may wrap anywhere
        assert SCRIPT in shown and "<b>bold</b>" in shown and TEMPLATE in shown, pdf
        assert "javascript:" not in shown
