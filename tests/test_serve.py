"""`handbook serve`: the preview rebuilds on a change, tells the browser to reload, shows errors, keeps running."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import small_with_cohort

from handbook.commands.serve import Preview


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


def request(preview: Preview, path: str, host: str | None = None) -> tuple[int, bytes]:
    """GET `path` with `host` as the Host header (default: the server's own address)."""
    address = urlsplit(preview.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host or address.netloc)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_request_for_another_host_is_refused(preview: Preview) -> None:
    """A page of another site that rebinds its name to 127.0.0.1 must not read the preview."""
    port = urlsplit(preview.url).port
    assert request(preview, "/guidelines.html", f"evil.example:{port}") == (403, b"")
    assert request(preview, "/__handbook/wait?v=", f"evil.example:{port}") == (403, b"")
    assert request(preview, "/guidelines.html", f"localhost:{port}")[0] == 200
    assert request(preview, "/guidelines.html", f"[::1]:{port}")[0] == 200


def test_a_malformed_version_is_refused_without_a_traceback(preview: Preview, capfd: pytest.CaptureFixture[str]) -> None:
    status, _body = request(preview, "/__handbook/wait?v=" + "9" * 5000)
    assert status == 400
    assert request(preview, "/__handbook/wait?v=%C2%B2")[0] == 400  # a superscript two is a digit to Python
    time.sleep(0.2)  # a handler's traceback would be printed after the response
    assert "Traceback" not in capfd.readouterr().err


def _first_page(project: Path) -> tuple[str, list[str]]:
    """Return the guidelines page the preview of `project` serves first (the site alone, no PDFs),
    and the lines the preview printed in the terminal meanwhile."""
    messages: list[str] = []
    running = Preview(project, 0, messages.append, full_builds=False, interval=0.05)
    running.start()
    try:
        return get(running.url + "guidelines.html"), messages
    finally:
        running.stop()


COHORT_WITH_A_MISTAKE = """\
name: Test cycle
participants:
  - {id: ana, name: Ana Lima, email: ana.lima@example.org}
  - {id: ben, name: Ben Okafor, email: ana.lima@example.org}
groups:
  - {id: pair-1, members: [ana, ben], start: 2026-02-02}
"""


def test_the_error_page_shows_no_personal_data_of_a_broken_cohort(tmp_path: Path) -> None:
    project = small_with_cohort(tmp_path / "project", COHORT_WITH_A_MISTAKE)
    page, messages = _first_page(project)
    assert "The handbook could not be built" in page
    assert "cohort.yaml:4:" in page and "duplicate email address" in page
    assert "ana.lima" not in page and "Okafor" not in page
    assert any("ana.lima@example.org" in m for m in messages)  # the coordinator's terminal shows it all


def test_the_cohort_file_is_watched_wherever_program_yaml_puts_it(tmp_path: Path) -> None:
    good = COHORT_WITH_A_MISTAKE.replace("ben, name: Ben Okafor, email: ana.lima", "ben, name: Ben Okafor, email: ben.okafor")
    project = small_with_cohort(tmp_path / "project", good)
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("cohort: cohort.yaml", "cohort: cycles/autumn.yaml"),
                       encoding="utf-8")
    cohort = project / "cycles" / "autumn.yaml"
    cohort.parent.mkdir()
    (project / "cohort.yaml").rename(cohort)
    running = Preview(project, 0, [].append, full_builds=False, interval=0.05)
    running.start()
    try:
        assert "45 minutes" in get(running.url + "guidelines.html")
        wait_for_next_version(running, lambda: cohort.write_text(COHORT_WITH_A_MISTAKE, encoding="utf-8"))
        page = get(running.url + "guidelines.html")
    finally:
        running.stop()
    assert "cycles/autumn.yaml:4:" in page and "duplicate email address" in page


def test_files_the_build_does_not_read_do_not_rebuild(preview: Preview, small_project: Path) -> None:
    rebuilt = sum("rebuilt" in m for m in preview.messages)  # type: ignore[attr-defined]
    (small_project / "notes.yaml").write_text("todo: ask Ana\n", encoding="utf-8")
    (small_project / "content" / ".faq.md.swp").write_bytes(b"\0swap")
    (small_project / "roster.csv").write_text("id,name\n", encoding="utf-8")
    time.sleep(1)  # twenty times the watcher's interval
    assert sum("rebuilt" in m for m in preview.messages) == rebuilt  # type: ignore[attr-defined]


def test_a_print_template_problem_shows_in_the_browser_as_build_would_refuse_it(small_project: Path) -> None:
    form = small_project / "templates" / "print" / "forms" / "training-attendance.html.j2"
    form.parent.mkdir(parents=True)
    form.write_text("{{ program.nmae }}\n", encoding="utf-8")
    page, messages = _first_page(small_project)
    assert "The handbook could not be built" in page
    assert "templates/print/forms/training-attendance.html.j2:1: template error" in page
    assert any("nmae" in m for m in messages)
