"""`handbook serve`: build, serve on 127.0.0.1, rebuild on every change and reload the browser.

The preview site is built into `.handbook/serve/` (never into build/), so a half-edited program
never touches the published build. A validation error is shown in the terminal and, in place of
every page, in the browser; the server keeps running and reloads once the error is fixed.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlparse

from .errors import HandbookError

RELOAD_PATH = "/__handbook/reload.js"
WAIT_PATH = "/__handbook/wait"
RELOAD_JS = b"""(function () {
  var version = null;
  function poll() {
    fetch("/__handbook/wait?v=" + (version === null ? "" : version), {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (version !== null && d.v !== version) { location.reload(); return; }
        version = d.v; poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""
WATCHED_SUFFIXES = {".yaml", ".yml", ".md", ".j2", ".html", ".css", ".csv", ".png", ".jpg", ".jpeg", ".svg",
                    ".gif", ".webp", ".pdf", ".txt", ".json"}

Say = Callable[[str], None]
FULL_BUILD_DELAY = 1.0


@dataclass
class State:
    """What the server shows: the version of the preview and the error, if the last build failed."""

    version: int = 0
    error: str = ""
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, error: str = "") -> None:
        with self.changed:
            self.version += 1
            self.error = error
            self.changed.notify_all()

    def wait(self, seen: int | None, timeout: float = 25.0) -> int:
        with self.changed:
            if seen == self.version:
                self.changed.wait(timeout)
            return self.version


def snapshot(root: Path, extra: tuple[Path, ...] = ()) -> dict[str, tuple[float, int]]:
    """Return (mtime, size) of every input of the project: program, cohort, mkdocs.yml, content/, templates/."""
    files: dict[str, tuple[float, int]] = {}
    candidates = [root / "program.yaml", root / "mkdocs.yml", *extra]
    for folder in (root / "content", root / "templates"):
        if folder.is_dir():
            candidates += [p for p in folder.rglob("*") if p.suffix.lower() in WATCHED_SUFFIXES]
    for path in candidates:
        try:
            stat = path.stat()
        except OSError:
            continue
        files[str(path)] = (stat.st_mtime, stat.st_size)
    return files


def build_preview(root: Path, site_dir: Path) -> int:
    """Build the site alone into `site_dir` (replacing it); return the number of pages."""
    from .build import build_site, load, publish
    from .site import render_site

    loaded = load(root)
    tree = render_site(loaded)
    staging = site_dir.with_name(site_dir.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    build_site(loaded, tree, staging)
    publish(staging, site_dir)
    return len(tree.pages)


def error_page(message: str) -> bytes:
    """Return the page shown in place of the site while the program has problems."""
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>handbook: problems</title>"
            "<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem}"
            "pre{background:#fff4e5;border-left:4px solid #b35900;padding:1rem;white-space:pre-wrap}</style>"
            "</head><body><h1>The handbook could not be built</h1>"
            "<p>Fix the problems below and save; this page reloads by itself.</p>"
            f"<pre>{html.escape(message)}</pre><script src=\"{RELOAD_PATH}\"></script></body></html>").encode()


def make_handler(site_dir: Path, fallback_dir: Path, state: State) -> type[SimpleHTTPRequestHandler]:
    """Return a request handler serving the preview with the reload script injected."""

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(site_dir), **kwargs)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet by default
            return

        def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            url = urlparse(self.path)
            if url.path == RELOAD_PATH:
                return self._send(RELOAD_JS, "text/javascript; charset=utf-8")
            if url.path == WAIT_PATH:
                raw = parse_qs(url.query).get("v", [""])[0]
                seen = int(raw) if raw.isdigit() else None
                return self._send(json.dumps({"v": state.wait(seen)}).encode(), "application/json")
            path = url.path.rstrip("/") + "/index.html" if url.path.endswith("/") else url.path
            if state.error and (path.endswith(".html") or "." not in path.rsplit("/", 1)[-1]):
                return self._send(error_page(state.error), "text/html; charset=utf-8")
            target = Path(self.translate_path(path))
            if not target.is_file():
                # PDFs and other files come from the last full build until the preview has them.
                relative = target.relative_to(site_dir) if target.is_relative_to(site_dir) else None
                if relative is not None and (fallback_dir / relative).is_file():
                    target = fallback_dir / relative
                else:
                    return self._send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)
            data = target.read_bytes()
            if target.suffix == ".html":
                data = data.replace(b"</body>", f'<script src="{RELOAD_PATH}"></script></body>'.encode(), 1)
                return self._send(data, "text/html; charset=utf-8")
            return self._send(data, self.guess_type(str(target)))

        do_HEAD = do_GET

    return Handler


class Preview:
    """A running preview: server thread, watcher thread, and background full builds."""

    def __init__(self, root: Path, port: int, say: Say, *, full_builds: bool = True, interval: float = 0.2) -> None:
        self.root = root.resolve()
        self.say = say
        self.state = State()
        self.interval = interval
        self.full_builds = full_builds
        work = self.root / ".handbook" / "serve"
        work.mkdir(parents=True, exist_ok=True)
        self.site_dir = work / "site"
        self.server = ThreadingHTTPServer(("127.0.0.1", port),
                                          make_handler(self.site_dir, self.root / "build" / "site", self.state))
        self.server.daemon_threads = True
        self.stopping = threading.Event()
        self._child_lock = threading.Lock()
        self._child: "subprocess.Popen[str] | None" = None
        self._full_pending = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def rebuild(self) -> bool:
        """Rebuild the preview; publish the new version or the error. Return True on success."""
        started = time.perf_counter()
        try:
            pages = build_preview(self.root, self.site_dir)
        except HandbookError as exc:
            self.state.publish(exc.format())
            self.say(exc.format())
            return False
        except Exception as exc:  # keep serving whatever happens; the terminal says what
            message = f"internal error: {type(exc).__name__}: {exc}"
            self.state.publish(message)
            self.say(message)
            return False
        self.state.publish()
        self.say(f"rebuilt {pages} pages in {time.perf_counter() - started:.2f} s")
        if self.full_builds:
            self._full_pending.set()
        return True

    def _full_build_loop(self) -> None:
        """Run full builds (PDFs, calendars) in a niced child process after changes settle.

        A child process keeps the preview's own rebuilds fast: it does not share the interpreter
        lock, and a newer change cancels it (a killed build leaves build/ as it was).
        """
        import os
        import subprocess
        import sys

        while not self.stopping.is_set():
            if not self._full_pending.wait(0.5):
                continue
            if self.stopping.wait(FULL_BUILD_DELAY):  # let a burst of saves settle
                return
            self._full_pending.clear()
            command = [sys.executable, "-m", "handbook", "build", "--quiet", "--project", str(self.root)]
            with self._child_lock:
                self._child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                               start_new_session=True, preexec_fn=lambda: os.nice(10))
            _, errors = self._child.communicate()
            code = self._child.returncode
            with self._child_lock:
                self._child = None
            if code == 0:
                self.say("PDFs and calendars updated in build/")
            elif code > 0 and code != 2:  # invalid input is already on screen; < 0: cancelled
                self.say(errors.strip() or f"background build failed with exit code {code}")

    def _cancel_full_build(self) -> None:
        """Stop a background build that a newer change has made stale."""
        import os
        import signal

        with self._child_lock:
            if self._child is not None and self._child.poll() is None:
                try:
                    os.killpg(self._child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _watch_loop(self) -> None:
        before = snapshot(self.root, self._extra())
        while not self.stopping.wait(self.interval):
            now = snapshot(self.root, self._extra())
            if now != before:
                before = now
                self._cancel_full_build()
                self.rebuild()

    def _extra(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.root / "cohort.yaml",) if p.exists()) + tuple(self.root.glob("*.yaml"))

    def start(self) -> None:
        """Build once, then serve and watch in background threads."""
        self.rebuild()
        for target in (self.server.serve_forever, self._watch_loop, self._full_build_loop):
            threading.Thread(target=target, daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        self._cancel_full_build()
        self.server.shutdown()
        self.server.server_close()
