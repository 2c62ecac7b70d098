"""The handbook as participants meet it, in a real browser: Chromium opens the built example on 127.0.0.1.

Every test's browser contexts record each request and script error; the `contexts` fixture fails
a test whose pages contacted any host but the site's own, or broke a script.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest.register_assert_rewrite("browser")  # before the import: it is a plugin of these tests
from browser import PHONE, Contexts, Example, search  # noqa: E402

pytest_plugins = ["browser"]  # the browser, the served example and their fixtures


def _path(url: str, base: str) -> str:
    """Return the site path of `url` ("training/index.html"), fragment and query dropped."""
    return urlsplit(url).path.removeprefix(urlsplit(base).path)


def _heading(page: Any) -> str:
    return page.locator("article h1").first.inner_text().strip()


def test_every_page_in_the_navigation_loads_with_its_title(example: Example, contexts: Contexts,
                                                            site_url: str) -> None:
    page = contexts.page()
    page.goto("index.html")
    # The navigation the browser shows is the one the generator made, page for page.
    shown = {_path(href, site_url) for href in page.locator("nav.md-nav--primary a.md-nav__link[href]")
             .evaluate_all("links => links.map(link => link.href)")}
    assert shown == {path for _title, path in example.nav}
    for title, path in example.nav:
        response = page.goto(path)
        assert response is not None and response.ok, path
        expected = example.site_name if path == "index.html" else f"{title} - {example.site_name}"
        assert page.title() == expected, path
        assert page.locator("article h1").first.is_visible(), f"{path} shows no heading"
        assert page.locator("article").inner_text().strip(), f"{path} is empty"


@pytest.mark.parametrize("query,target", [("confidentiality", "confidentiality.html"),
                                          ("power dynamics", "challenges/power-dynamics.html")])
def test_search_finds_the_page(contexts: Contexts, site_url: str, query: str, target: str) -> None:
    page = contexts.page()
    page.goto("index.html")
    results = search(page, query)
    assert re.match(r"\d+ matching documents?", page.locator(".md-search-result__meta").inner_text())
    hrefs = [_path(href, site_url) for href in results.evaluate_all("links => links.map(link => link.href)")]
    assert target in hrefs, f"no result for {query!r} leads to {target}; results: {hrefs}"
    hit = results.nth(hrefs.index(target))
    assert query.split()[0] in hit.inner_text().lower()
    hit.click()
    page.wait_for_url(f"**/{target}*")
    assert query in page.locator("article").inner_text().lower()


def test_each_challenge_has_its_playbooks_one_click_away(example: Example, contexts: Contexts) -> None:
    page = contexts.page()
    for challenge in example.program.challenges:
        playbooks = example.program.playbooks_for(challenge.id)
        assert playbooks, f"no playbook addresses {challenge.id}"
        for playbook in playbooks:
            page.goto(f"challenges/{challenge.id}.html")
            page.locator("article").get_by_role("link", name=playbook.title, exact=True).first.click()
            page.wait_for_url(f"**/playbooks/{playbook.id}.html")
            assert _heading(page) == playbook.title


def _scheme(page: Any) -> tuple[str, str]:
    """Return the page's colour scheme and its background colour."""
    return page.evaluate("""() => [document.body.getAttribute('data-md-color-scheme'),
                                   getComputedStyle(document.body).backgroundColor]""")


def test_light_and_dark_toggle(contexts: Contexts) -> None:
    page = contexts.page(color_scheme="light")
    page.goto("index.html")
    light = _scheme(page)
    assert light[0] == "default"
    page.locator("label[title='Switch to dark mode']").click()
    dark = _scheme(page)
    assert dark[0] == "slate" and dark[1] != light[1]
    page.goto("guidelines.html")  # the choice is kept from page to page
    assert _scheme(page) == dark
    page.locator("label[title='Switch to light mode']").click()
    assert _scheme(page) == light
    # Without a choice, a reader whose system is dark gets the dark scheme.
    page = contexts.page(color_scheme="dark")
    page.goto("index.html")
    assert _scheme(page) == dark


def _on_screen(locator: Any) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_on_a_phone_the_menu_opens_and_no_page_scrolls_sideways(example: Example, contexts: Contexts) -> None:
    page = contexts.page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto("index.html")
    link = page.locator(".md-sidebar--primary a.md-nav__link[href='guidelines.html']")
    assert not _on_screen(link), "the menu is open before it was asked for"
    page.locator("label.md-header__button[for='__drawer']").click()
    page.wait_for_function("""() => { const box = document.querySelector('.md-sidebar--primary').getBoundingClientRect();
                                      return box.left >= 0 && box.right <= window.innerWidth; }""")
    assert _on_screen(link)
    link.click()
    page.wait_for_url("**/guidelines.html")
    assert _heading(page) == "Guidelines"
    wide = []
    for path in example.pages():
        page.goto(path)
        width = page.evaluate("""() => { window.scrollTo(500, 0);
            return [document.documentElement.scrollWidth, document.documentElement.clientWidth, window.scrollX]; }""")
        if width[0] > width[1] or width[2] != 0:
            wide.append(f"{path}: {width[0]} px wide in {width[1]} px")
    assert not wide, "pages that scroll sideways on a phone:\n" + "\n".join(wide)


CHROME = {"header": ".md-header", "navigation": ".md-sidebar--primary", "table of contents": ".md-sidebar--secondary",
          "footer": ".md-footer", "search": ".md-search", "back-to-top button": ".md-top"}


@pytest.mark.parametrize("path", ["index.html", "playbooks/allocate-time.html", "training/active-listening.html"])
def test_print_shows_the_content_without_navigation_chrome(contexts: Contexts, path: str) -> None:
    page = contexts.page()
    page.emulate_media(media="print")
    page.goto(path)
    shown = [name for name, selector in CHROME.items() if page.locator(selector).first.is_visible()]
    assert not shown, f"printed {path} shows the {', '.join(shown)}"
    article = page.locator("article")
    assert article.is_visible() and page.locator("article h1").first.is_visible()
    # The content takes the whole width of the paper instead of the column between the sidebars.
    width = page.evaluate("document.documentElement.clientWidth")
    box = article.bounding_box()
    assert box is not None and box["width"] > 0.8 * width


def test_pages_contact_no_host_but_their_own(example: Example, contexts: Contexts, site_url: str) -> None:
    """Fonts, icons, scripts and search: every request of every page goes to the site itself.

    The same holds in every other browser test (the `contexts` fixture checks each one's requests),
    among them every page on a phone and every page in the dark scheme (tests/test_a11y.py).
    """
    page = contexts.page()
    for path in example.pages():
        page.goto(path)
    search(page, "agreement")
    own = site_url.rstrip("/")
    assert contexts.requests and not contexts.foreign(own)
    # And each of them is a file of the site: nothing is fetched that the build did not write.
    missing = {path for url in contexts.requests
               if not (example.site / (path := _path(url, site_url) or "index.html")).is_file()}
    assert not missing, f"requests for files the site does not have: {sorted(missing)}"
    # Pages, styles, scripts, the search index and the favicon; no web fonts (the system's are used);
    # sitemap.xml, which the theme's language switch reads beside each hreflang link.
    kinds = {Path(_path(url, site_url)).suffix for url in contexts.requests}
    assert kinds <= {"", ".html", ".css", ".js", ".json", ".png", ".svg", ".xml"}, kinds

