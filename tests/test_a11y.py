"""Accessibility of every page of the built example: axe-core's WCAG 2.1 A and AA rules in Chromium,
in the light and the dark scheme and in the states a reader brings pages into (hover, menu, search);
headings in order, the program's language, link texts that make sense on their own.

No rule is switched off: a violation is fixed in the templates, mkdocs.yml or handbook.css.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.register_assert_rewrite("browser")  # before the import: it is a plugin of these tests
from browser import PHONE, Contexts, Example, search, settle  # noqa: E402
from conftest import site_only  # noqa: E402

pytest_plugins = ["browser"]  # the browser, the served example and their fixtures

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# What a page tells about itself: language, headings, and each visible link's name and target.
FACTS = """() => ({
  lang: document.documentElement.lang,
  headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .map(h => [Number(h.tagName[1]), h.textContent.trim()]),
  links: [...document.querySelectorAll('a[href]')].filter(a => a.getClientRects().length).map(a => ({
    name: (a.getAttribute('aria-label') || a.innerText || a.getAttribute('title') || '').replace(/\\s+/g, ' ').trim(),
    href: a.href,
    inArticle: !!a.closest('article'),
  })),
})"""

# Link texts that say nothing about where a link goes.
VAGUE = {"", "here", "click here", "this", "this page", "more", "read more", "link", "details", "¶", "#", "go"}


def axe(page: Any, selector: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page (or the element at `selector`); return the violations."""
    return page.evaluate("""async ([selector, tags]) => {
        const result = await axe.run(selector ? document.querySelector(selector) : document,
                                     {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
    }""", [selector, WCAG_21_AA])


def report(found: dict[str, list[dict[str, Any]]]) -> str:
    """Return axe's violations by page, one line per element, for an assertion message."""
    lines = []
    for where, violations in found.items():
        for violation in violations:
            lines.append(f"{where}: {violation['rule']} ({violation['impact']}): {violation['help']}")
            lines += [f"    {node['target']}: {' '.join(node['summary'].split())}" for node in violation["nodes"][:5]]
    return "\n".join(lines)



@pytest.fixture(scope="module")
def light_pages(browser: Any, site_url: str, example: Example) -> Iterator[dict[str, dict[str, Any]]]:
    """Open every page once in the light scheme: axe's violations and the page's facts, by page."""
    opened = Contexts(browser, site_url)
    page = opened.with_axe(color_scheme="light")
    audits = {}
    for path in example.pages():
        page.goto(path)
        audits[path] = {"violations": axe(page), **page.evaluate(FACTS)}
    yield audits
    opened.close()
    assert not opened.foreign(site_url.rstrip("/")) and not opened.errors


def test_no_wcag_violation_on_any_page_in_the_light_scheme(light_pages: dict[str, dict[str, Any]]) -> None:
    found = {path: audit["violations"] for path, audit in light_pages.items() if audit["violations"]}
    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + report(found)


def test_no_wcag_violation_on_any_page_in_the_dark_scheme(example: Example, contexts: Contexts) -> None:
    page = contexts.with_axe(color_scheme="dark")
    found = {}
    for path in example.pages():
        page.goto(path)
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        if violations := axe(page):
            found[path] = violations
    assert not found, "axe-core found WCAG 2.1 A/AA violations in the dark scheme:\n" + report(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_wcag_violation_in_the_states_a_reader_brings_about(contexts: Contexts, scheme: str) -> None:
    """Hovered and focused links, the phone menu open, search results shown: colours change there."""
    found = {}
    page = contexts.with_axe(color_scheme=scheme)
    page.goto("challenges/power-dynamics.html")
    page.locator("article a").first.hover()
    settle(page)
    found["hovered link"] = axe(page, "article")
    page.locator("article a").nth(1).focus()
    settle(page)
    found["focused link"] = axe(page, "article")
    page.mouse.move(0, 0)
    search(page, "confidentiality")
    settle(page)
    found["search results"] = axe(page)
    phone = contexts.with_axe(color_scheme=scheme, viewport=PHONE, is_mobile=True)
    phone.goto("playbooks/allocate-time.html")
    found["phone page"] = axe(phone)
    phone.locator("label.md-header__button[for='__drawer']").click()
    settle(phone)
    found["phone menu"] = axe(phone)
    found = {f"{scheme}, {state}": violations for state, violations in found.items() if violations}
    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + report(found)


def test_headings_are_in_order(light_pages: dict[str, dict[str, Any]]) -> None:
    """One h1 first on each page; each heading at most one level below the one before it."""
    problems = []
    for path, audit in light_pages.items():
        levels = [level for level, _text in audit["headings"]]
        if levels[:1] != [1] or levels.count(1) != 1:
            problems.append(f"{path}: expected one h1, first; found {audit['headings'][:3]}")
        for (before, _), (level, text) in zip(audit["headings"], audit["headings"][1:]):
            if level > before + 1:
                problems.append(f"{path}: h{level} {text!r} follows an h{before}")
    assert not problems, "\n".join(problems)


def test_every_page_is_in_the_programs_language(example: Example, light_pages: dict[str, dict[str, Any]]) -> None:
    # The source language's pages at the site's root, each further language's in its folder (de/).
    further = set(example.program.program.languages[1:])

    def language(path: str) -> str:
        folder = path.split("/")[0]
        return (folder if folder in further else example.language).split("-")[0]

    wrong = {path: audit["lang"] for path, audit in light_pages.items() if audit["lang"] != language(path)}
    assert not wrong, f"pages not in their folder's language: {wrong}"


def test_link_texts_make_sense_on_their_own(light_pages: dict[str, dict[str, Any]]) -> None:
    """No link is called "here" or "¶"; in a page's text, one link text always leads to one place."""
    problems = []
    for path, audit in light_pages.items():
        targets: dict[str, set[str]] = {}
        for link in audit["links"]:
            if link["name"].lower() in VAGUE:
                problems.append(f"{path}: link {link['name']!r} to {link['href']}")
            if link["inArticle"]:
                targets.setdefault(link["name"].lower(), set()).add(link["href"])
        problems += [f"{path}: {name!r} leads to {sorted(hrefs)}" for name, hrefs in targets.items() if len(hrefs) > 1]
    assert not problems, "\n".join(problems)


def test_axe_saw_every_page(example: Example, light_pages: dict[str, dict[str, Any]]) -> None:
    """The audit covers the whole site, and its facts are what the pages hold (a guard on the harness)."""
    assert sorted(light_pages) == example.pages()
    assert all(audit["headings"] and audit["links"] for audit in light_pages.values()), json.dumps(light_pages)[:500]


def test_a_program_in_another_language_sets_it_on_every_page(small_project: Path) -> None:
    program = small_project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("language: en", "language: de"), encoding="utf-8")
    pages = sorted(site_only(small_project).rglob("*.html"))
    assert pages and all('<html lang="de"' in page.read_text(encoding="utf-8") for page in pages)


def test_the_monitoring_report_has_no_wcag_violation(browser: Any, tmp_path: Path) -> None:
    """The coordinator's report of returned forms, with every section shown: charts, tables, answers, older forms."""
    import datetime as dt

    from browser import serve
    from conftest import copy_example

    from handbook.commands import stage
    from handbook.commands.collect import report_html
    from handbook.plan.returns import Stored

    loaded = stage.load(copy_example(tmp_path / "project"))
    assert loaded.cohort is not None
    groups = [group.id for group in loaded.cohort.groups]
    returns = [Stored(n, f"{gid}.pdf", f"2026-12-0{n + 1}T00:00:00", "mid-point-check-in", "old" if n == 0 else "x",
                      gid, {"sessions": str(3 + n), "member-1-goal-1-progress": str(n % 3), "question-2": f"Answer {n}",
                            **({"contact": "1"} if n == 1 else {})}) for n, gid in enumerate(groups[:4])]
    returns.append(Stored(9, "mine.pdf", "2027-03-20T00:00:00", "closure-reflection", "x", groups[0],
                          {"sessions": "11", "closing-1": "1"}))
    html, shown = report_html(loaded, returns, dt.date(2027, 4, 1))
    assert shown.gaps and shown.older_files and shown.answered
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "monitoring.html").write_text(html, encoding="utf-8")
    opened = Contexts(browser, None)
    try:
        with serve(tmp_path / "report") as url:
            page = opened.with_axe()
            page.goto(url + "monitoring.html")
            violations = axe(page)
            facts = page.evaluate(FACTS)
    finally:
        opened.close()
    assert not violations, "axe-core found WCAG 2.1 A/AA violations:\n" + report({"monitoring.html": violations})
    assert facts["lang"] == "en" and [level for level, _text in facts["headings"]][:2] == [1, 2]
    assert not opened.errors and not opened.foreign(url.rstrip("/")), "the report loads nothing from elsewhere"
