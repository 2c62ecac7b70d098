"""Browser test helpers: the example built once per session, served on 127.0.0.1, opened in Chromium.

The browser is Debian's Chromium driven by Playwright for Python (`playwright install` is never
run: it would download a browser). axe-core and the Nu Html Checker come from npm
(`package.json`); `scripts/test` installs all of them. Test modules load this module as a
plugin (`pytest_plugins = ["browser"]`), so its session fixtures are made once for all of them.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
NODE_MODULES = ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SETUP_HINT = "run scripts/test once: it installs chromium, playwright and the npm tools"

LAUNCH_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # A guard besides the request log: no host name resolves, so nothing can reach another host.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@dataclass(frozen=True)
class Example:
    """The example project, built: its folders and the navigation the generator made."""

    project: Path
    site: Path
    offline_zip: Path
    program: Any  # handbook.model.Program
    nav: tuple[tuple[str, str], ...]  # (title, page path such as "training/index.html"), in nav order

    @property
    def language(self) -> str:
        return self.program.program.language

    @property
    def site_name(self) -> str:
        return self.program.program.name

    def pages(self) -> list[str]:
        """Return every HTML page of the built site, sorted (404.html included)."""
        return sorted(p.relative_to(self.site).as_posix() for p in self.site.rglob("*.html"))


def _flatten(nav: list[Any]) -> Iterator[tuple[str, str]]:
    for item in nav:
        for title, target in item.items():
            if isinstance(target, list):
                yield from _flatten(target)
            else:
                yield title, target.removesuffix(".md") + ".html"


def _built(project: Path) -> Example:
    from handbook.commands.stage import load
    from handbook.render.site import render_site

    loaded = load(project)
    return Example(project, project / "build" / "site", project / "build" / "handbook-site.zip",
                   loaded.program, tuple(_flatten(render_site(loaded).nav)))


@pytest.fixture(scope="session")
def example(built_example: Path) -> Example:
    """The example program, built once per test session (tests/conftest.py): read only."""
    return _built(built_example)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that leaves a page closes connections mid-answer; that is not a failure.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port while the block runs; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def site_url(example: Example) -> Iterator[str]:
    """The base URL of the built example, served on 127.0.0.1 for the whole session."""
    with serve(example.site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, launched once per session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"Playwright for Python is not installed; {SETUP_HINT}")
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing; {SETUP_HINT}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class Contexts:
    """Opens browser contexts that record every request and every script error of their pages."""

    def __init__(self, browser: Any, base_url: str | None) -> None:
        self.browser = browser
        self.base_url = base_url
        self.requests: list[str] = []
        self.errors: list[str] = []  # script errors and failed requests
        self._open: list[Any] = []

    def new(self, *, viewport: dict[str, int] = DESKTOP, **options: Any) -> Any:
        """Return a new context (a fresh profile) with the given viewport and Playwright options."""
        if self.base_url:
            options.setdefault("base_url", self.base_url)
        context = self.browser.new_context(viewport=viewport, **options)
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("page", lambda page: page.on("pageerror", lambda error: self.errors.append(str(error))))
        # A request cut short by leaving the page (net::ERR_ABORTED) is no fault of the site.
        context.on("requestfailed", lambda request: "ERR_ABORTED" not in (request.failure or "")
                   and self.errors.append(f"{request.url}: {request.failure}"))
        context.on("response", lambda response: response.status >= 400
                   and self.errors.append(f"{response.url}: HTTP {response.status}"))
        self._open.append(context)
        return context

    def page(self, **options: Any) -> Any:
        """Return a page in a new context."""
        return self.new(**options).new_page()

    def with_axe(self, **options: Any) -> Any:
        """Return a page in a new context that loads axe-core into every document it opens."""
        if not AXE.is_file():
            import pytest

            pytest.fail(f"{AXE} is missing; {SETUP_HINT}")
        context = self.new(**options)
        context.add_init_script(path=str(AXE))
        return context.new_page()

    def foreign(self, allowed: str) -> list[str]:
        """Return the recorded requests that went anywhere but `allowed` (scheme://host:port)."""
        return [url for url in self.requests if _origin(url) != allowed]

    def close(self) -> None:
        for context in self._open:
            context.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme != "file" else "file://"


@pytest.fixture
def contexts(browser: Any, site_url: str) -> Iterator[Contexts]:
    """Browser contexts for one test; afterwards, no request may have left the site's own host."""
    opened = Contexts(browser, site_url)
    yield opened
    opened.close()
    own = site_url.rstrip("/")
    assert not opened.foreign(own), f"requests to other hosts: {sorted(set(opened.foreign(own)))}"
    assert not opened.errors, f"script errors or failed requests: {opened.errors}"


def unzip(archive: Path, target: Path) -> Path:
    """Unpack `archive` into `target` and return `target`."""
    shutil.unpack_archive(archive, target, "zip")
    return target


def search(page: Any, query: str, *, timeout: float = 15.0) -> Any:
    """Type `query` into the site's search and return the result links once there are some.

    The theme reads the query on key-up, and ignores what is typed before its search worker has
    indexed the site, so the query is typed again until results appear or `timeout` seconds pass.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    field = page.locator("input.md-search__input")
    if not field.is_visible():  # on a phone, search opens from a button in the header
        page.locator("label.md-header__button[for='__search']").click()
    results = page.locator(".md-search-result__item > .md-search-result__link")
    deadline = time.monotonic() + timeout
    while True:
        field.fill(query)
        field.press("End")
        try:
            results.first.wait_for(timeout=1500)
            return results
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise AssertionError(f"search for {query!r} showed no results within {timeout:g} s") from None


def settle(page: Any) -> None:
    """Wait until the page's CSS transitions and animations have finished (menus slide, results fade in)."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
