"""`handbook serve`: the preview rebuilds on a change, tells the browser to reload, shows errors, keeps running."""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path

import pytest

from handbook.serve import Preview


def get(url: str, timeout: float = 30) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # 127.0.0.1 only
        return response.read().decode("utf-8")


@pytest.fixture
def preview(small_project: Path):
    messages: list[str] = []
    running = Preview(small_project, 0, messages.append, full_builds=False, interval=0.05)
    running.start()
    running.messages = messages  # type: ignore[attr-defined]
    yield running
    running.stop()


def wait_for_next_version(preview: Preview, change) -> int:
    """Start a long-poll as a browser would, make the change, and return the version it reports."""
    seen = json.loads(get(preview.url + "__handbook/wait?v="))["v"]
    result: dict[str, int] = {}
    poll = threading.Thread(target=lambda: result.update(json.loads(get(preview.url + f"__handbook/wait?v={seen}"))))
    poll.start()
    change()
    poll.join(timeout=30)
    assert result and result["v"] > seen, "the browser was not told to reload"
    return result["v"]


def test_pages_are_served_with_the_reload_script(preview: Preview) -> None:
    page = get(preview.url + "guidelines.html")
    assert "45 minutes" in page
    assert '<script src="/__handbook/reload.js"></script></body>' in page
    assert "location.reload()" in get(preview.url + "__handbook/reload.js")
    assert preview.url.startswith("http://127.0.0.1:")


def test_a_change_rebuilds_and_reloads(preview: Preview, small_project: Path) -> None:
    program = small_project / "program.yaml"
    wait_for_next_version(preview, lambda: program.write_text(
        program.read_text(encoding="utf-8").replace("length_minutes: 45", "length_minutes: 50"), encoding="utf-8"))
    assert "50 minutes" in get(preview.url + "guidelines.html")


def test_a_content_page_change_rebuilds(preview: Preview, small_project: Path) -> None:
    page = small_project / "content" / "faq.md"
    wait_for_next_version(preview, lambda: page.write_text("# Questions\n\nNew answer here.\n", encoding="utf-8"))
    assert "New answer here." in get(preview.url + "faq.html")


def test_an_error_shows_in_the_browser_and_the_server_keeps_running(preview: Preview, small_project: Path) -> None:
    program = small_project / "program.yaml"
    good = program.read_text(encoding="utf-8")
    wait_for_next_version(preview, lambda: program.write_text(good.replace("length_minutes: 45", "length_minutes: x"),
                                                              encoding="utf-8"))
    page = get(preview.url + "guidelines.html")
    assert "The handbook could not be built" in page
    assert "program.yaml:57:21: guidelines.meetings.length_minutes: expected a whole number" in page
    assert any("expected a whole number" in m for m in preview.messages)  # type: ignore[attr-defined]
    wait_for_next_version(preview, lambda: program.write_text(good, encoding="utf-8"))
    assert "45 minutes" in get(preview.url + "guidelines.html")


def test_preview_never_touches_build(preview: Preview, small_project: Path) -> None:
    assert not (small_project / "build").exists()
    assert (small_project / ".handbook" / "serve" / "site" / "index.html").is_file()
