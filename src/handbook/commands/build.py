"""The build, in stages: load, validate, render; then write into a fresh folder that replaces build/."""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

from handbook.errors import (
    WRITE_PROBLEMS,
    EngineError,
    HandbookError,
    InputError,
    Problem,
    Stopped,
    WriteError,
)
from handbook.load.cohort import Cohort, load_cohort
from handbook.load.links import markdown_problems
from handbook.load.project import (
    PROGRAM_FILE,
    Layout,
    Loaded,
    load_content,
    read_program,
    template_problems,
)
from handbook.load.sitesettings import settings_problems
from handbook.load.validate import validate_program
from handbook.load.yamlsource import load_yaml
from handbook.output.offline import OFFLINE_ZIP, package_site
from handbook.render.calendars import render_calendars
from handbook.render.printing import PrintSet, render_print
from handbook.render.site import SiteTree, render_site, reserved_names

Progress = Callable[[str], None]
PDF_CACHE = Path(".handbook") / "cache" / "pdf"  # PDFs of the last build by the hash of their inputs
DOWNLOADS = "downloads"  # folder of the site that offers the non-personal PDFs
CALENDAR_DIR = "calendar"  # one .ics per group and program.ics
PRIVATE_DIR = "private"  # coordinator-only files another command wrote (the match report); kept
STATE_DIR = Path(".handbook")  # the build's own files: lock, state, PDF cache, staging records; owner only
STAGING_RECORDS = STATE_DIR / "staging"  # one file per folder a build created next to build/, naming its creator


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    build_dir: Path
    pages: int
    seconds: float
    skipped: bool = False  # nothing changed, nothing was done
    notes: tuple[str, ...] = ()  # about the machine, not the input (e.g. a library the PDF renderer lacks)


@dataclass(frozen=True)
class LoadedProject(Loaded):
    """A loaded project with its cohort: None when program.yaml names no cohort file."""

    cohort: Optional[Cohort] = None


def load(root: Path) -> LoadedProject:
    """Load and validate a whole project: program, cohort, content pages; raise InputError with all problems."""
    layout = Layout(root.resolve())
    problems: list[Problem] = []
    source = program = None
    try:
        source = read_program(layout)
        program = validate_program(source)
    except InputError as exc:
        problems += exc.problems
    reference = _cohort_reference(layout, program)
    cohort_name = reference[0] if reference is not None else None  # no link in content/ or templates/ reaches it
    content_read = True
    try:
        pages, assets = load_content(layout, reserved_names(), cohort_name)
    except InputError as exc:
        problems += exc.problems
        pages, assets, content_read = (), (), False
    problems += template_problems(layout, cohort_name)
    problems += markdown_problems(source, program, pages, assets, check_links=content_read)
    if layout.mkdocs.is_file():
        problems += settings_problems(layout.mkdocs, layout.root)
    cohort = None
    if reference is not None:
        try:
            cohort = load_cohort(layout.root, reference[0], program, reference[1])
        except InputError as exc:
            problems += exc.problems
    if problems or program is None:
        raise InputError(problems)
    return LoadedProject(layout, program, pages, assets, cohort)


def _cohort_reference(layout: Layout, program: object | None) -> tuple[str, Problem] | None:
    """Return the cohort file program.yaml names and where it names it, even when program.yaml is invalid."""
    name = getattr(program, "cohort", None)
    text = ""
    if layout.program.is_file():
        text = layout.program.read_bytes().decode("utf-8", "replace")
    if program is None and text:
        try:
            data = load_yaml(text, PROGRAM_FILE).data
        except InputError:
            return None
        name = data.get("cohort") if isinstance(data, dict) and isinstance(data.get("cohort"), str) else None
    if not name:
        return None
    lines = text.splitlines()
    number = next((i + 1 for i, line in enumerate(lines) if re.match(r"cohort\s*:", line)), 0)
    where = Problem(PROGRAM_FILE, number, 1 if number else 0, "", source_line=lines[number - 1] if number else "")
    return name, where


def source_date() -> Optional[str]:
    """Return SOURCE_DATE_EPOCH as a W3C date-time for the PDFs' metadata; None when it is not set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    if not epoch.isdigit():
        raise InputError([Problem("SOURCE_DATE_EPOCH", 0, 0, f"expected whole seconds since 1970, got {epoch!r}",
                                  hint="for example SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)")])
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for relative, data in sorted(files.items()):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8", newline="\n")
        else:
            target.write_bytes(data)


def write_docs(tree: SiteTree, docs_dir: Path) -> None:
    """Write the rendered Markdown tree and its files into `docs_dir`."""
    _write_tree(docs_dir, {**tree.pages, **tree.files})


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); return False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


STATE_FILE = STATE_DIR / "last-build.json"


def private_dir(path: Path) -> Path:
    """Create `path` and its missing parents for their owner only (0700, like build/); return it."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return missing[0] if missing else path


def write_private(path: Path, data: bytes) -> None:
    """Write `path` atomically, readable by its owner only (0600); an error names the file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp makes it 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        if exc.filename is None:  # a failed write() names no file; the coordinator needs one
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _state_dir(layout: Layout) -> Path:
    """Return .handbook/, made private: it holds named agreements (the PDF cache) like build/ does."""
    folder = private_dir(layout.root / STATE_DIR)
    try:
        if folder.stat().st_mode & 0o077:  # made by an older version, or by hand
            folder.chmod(0o700)
    except OSError:
        pass
    return folder


def _input_files(layout: Layout) -> list[Path]:
    """Return every file a build reads: program, cohort, site settings, content/ and templates/."""
    files = [layout.program, layout.mkdocs]
    if layout.program.is_file():
        # The cohort's name, read without parsing: a no-op build must not pay for loading.
        match = re.search(rb"^cohort:[ \t]*['\"]?([^'\"#\r\n]+?)['\"]?[ \t]*(?:#.*)?$", layout.program.read_bytes(), re.M)
        if match:
            files.append(layout.root / match.group(1).decode("utf-8", "replace"))
    for folder in (layout.content, layout.templates):
        if folder.is_dir():
            files += [p for p in folder.rglob("*") if p.is_file()]
    return sorted(set(files))


def inputs_digest(layout: Layout, engine: str) -> str:
    """Return a fingerprint of everything that shapes a build: inputs, this package, engine and date."""
    digest = hashlib.sha256()
    digest.update(f"{engine}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
    for path in _input_files(layout):
        digest.update(layout.relative(path).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"(absent)")
    package = Path(__file__).parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def outputs_stamp(layout: Layout) -> list[list[object]]:
    """Return (path, size, mtime) of every file under build/: cheap, and changes if anyone touches it."""
    if not layout.build.is_dir():
        return []
    return [[p.relative_to(layout.build).as_posix(), p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(layout.build.rglob("*")) if p.is_file()]


def last_build(layout: Layout) -> dict[str, object] | None:
    """Return what the last successful build recorded, or None."""
    try:
        return json.loads((layout.root / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remember_build(layout: Layout, digest: str, pages: int) -> None:
    """Record the inputs and outputs of a successful build, for the next no-op check."""
    _state_dir(layout)
    write_private(layout.root / STATE_FILE,
                  json.dumps({"inputs": digest, "pages": pages, "outputs": outputs_stamp(layout)}).encode())


def keep_private(previous: Path, staging: Path) -> None:
    """Carry build/private/ (written by `handbook match`, not by the build) into the new build."""
    source = previous / PRIVATE_DIR
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, staging / PRIVATE_DIR, symlinks=True)


def publish(staging: Path, target: Path, parking: Path | None = None) -> None:
    """Make `staging` the new `target` in one step; the old target is removed afterwards.

    Where directories cannot be swapped atomically, the old target is first moved to `parking`.
    """
    if not target.exists():
        os.replace(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the previous build
        return
    old = parking or target.with_name(f"{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


# --- processes: who made a folder or holds the lock, and whether it still runs -------------------


def _process_stat(pid: int) -> tuple[str, str]:
    """Return the state and start time (clock ticks since boot) of process `pid`; ("", "") where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return "", ""
    return fields[0], fields[19]


def owner_id(pid: int | None = None) -> str:
    """Return "pid start-time" of this process (or `pid`): unlike a pid alone, it is never reused."""
    pid = os.getpid() if pid is None else pid
    return f"{pid} {_process_stat(pid)[1]}".strip()


def is_alive(owner: str) -> bool:
    """Return whether the process an `owner_id` names still runs (unknown owners count as running)."""
    parts = owner.split()
    if not parts or not parts[0].isdigit():
        return True
    pid = int(parts[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        pass
    state, started = _process_stat(pid)
    if state in ("Z", "X"):  # dead, not yet reaped by its parent
        return False
    return len(parts) < 2 or not started or started == parts[1]


# --- signals: SIGTERM and SIGHUP stop a build the way Ctrl+C does ---------------------------------

_deferred: list[int] = []  # signals that arrived while a build was publishing
_shielding = False


def _on_signal(signum: int, _frame: object) -> None:
    if _shielding:
        _deferred.append(signum)
        return
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into `Stopped` in the main thread, so that cleanups run as on Ctrl+C.

    Without it, a closed terminal or a process manager ends a build on the spot: its staging
    folder stays and its PDF workers with it. In other threads signals cannot be handled: no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)]
    previous = {number: signal.signal(number, _on_signal) for number in wanted if number is not None}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def _shielded() -> Iterator[None]:
    """Hold signals back while the block runs, then act on them: publishing is never cut in half."""
    global _shielding
    _shielding = True
    try:
        yield
    finally:
        _shielding = False
    if _deferred:
        signum = _deferred[-1]
        _deferred.clear()
        _on_signal(signum, None)


# --- the build lock ----------------------------------------------------------------------------

_HELD_LOCKS: set[int] = set()  # descriptors of build locks this process holds


def _drop_locks_in_child() -> None:
    """In a forked child (a PDF worker), let go of the build lock: it must never outlive the build."""
    if not _HELD_LOCKS:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    for fd in _HELD_LOCKS:
        os.dup2(null, fd)  # the number stays valid for code that closes it; the lock is no longer behind it
    os.close(null)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_locks_in_child)


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""


def _lock_users(path: Path) -> list[int]:
    """Return the processes that have `path` open (Linux; empty elsewhere)."""
    users = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) == str(path) for fd in fd_dir.iterdir()):
                users.append(int(fd_dir.parent.name))
        except OSError:
            continue
    return sorted(users)


def _try_lock(path: Path) -> int | None:
    """Return a descriptor of `path` locked for us, or None when someone holds the lock."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # another build replaced a stale lock file meanwhile: lock the new one


@contextmanager
def project_lock(layout: Layout, say: Progress | None = None) -> Iterator[None]:
    """Hold the project's build lock; a second build in the same project is refused clearly.

    The lock file names its holder ("pid start-time"). When the lock is held but its holder has
    ended, what holds it are processes a killed build left behind (PDF workers of versions before
    this one: today's workers end with their build and let go of the lock at their start). Those
    are not killed, as nobody asked for it; the lock file is replaced instead, so they block
    nothing, and `say` names them.
    """
    path = _state_dir(layout) / "build.lock"
    fd = _try_lock(path)
    if fd is None:
        holder = _holder(path)
        if holder and not is_alive(holder):
            time.sleep(0.2)  # a build that has just taken the lock writes its name at once
            fd = _try_lock(path)
            if fd is None and _holder(path) == holder:
                stale = os.stat(path).st_ino
                leftovers = [pid for pid in _lock_users(path) if pid != os.getpid()]
                if os.stat(path).st_ino == stale:
                    path.unlink(missing_ok=True)
                fd = _try_lock(path)
                if fd is not None and say is not None:
                    say("the build lock was held by processes a killed build left behind"
                        + (f" (pids {', '.join(map(str, leftovers))}; `kill` them to free their memory)"
                           if leftovers else "") + "; a new lock was taken")
            holder = _holder(path) if fd is None else holder
        if fd is None:
            pid = holder.split()[0] if holder.split() and holder.split()[0].isdigit() else ""
            raise HandbookError("another `handbook build` is running in this project" + (f" (pid {pid})" if pid else ""),
                                hint="wait for it to finish, then build again")
    try:
        os.fchmod(fd, 0o600)  # an older version made it readable by all
        os.ftruncate(fd, 0)
        os.pwrite(fd, owner_id().encode() + b"\n", 0)
        _HELD_LOCKS.add(fd)
        yield
    finally:
        _HELD_LOCKS.discard(fd)
        try:
            os.ftruncate(fd, 0)  # nobody holds it now
        except OSError:
            pass
        os.close(fd)


def _new_staging(layout: Layout) -> Path:
    """Create the folder a build writes into, next to build/, and record that this process made it."""
    staging = Path(tempfile.mkdtemp(prefix=f"{layout.build.name}.new-", dir=layout.root))
    try:
        private_dir(layout.root / STAGING_RECORDS)
        write_private(layout.root / STAGING_RECORDS / staging.name, owner_id().encode())
    except BaseException:
        staging.rmdir()
        raise
    return staging


def _parking(staging: Path) -> Path:
    """Return where `publish` may move the previous build: a name the staging record also covers."""
    return staging.with_name(staging.name + ".old")


def _drop_staging(layout: Layout, staging: Path) -> None:
    """Remove a staging folder (and its parking place), then the record that this build made it."""
    for folder in (staging, _parking(staging)):
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
    (layout.root / STAGING_RECORDS / staging.name).unlink(missing_ok=True)


def _clean_stale(layout: Layout) -> None:
    """Remove the folders that builds which were killed created; never any other folder.

    Only folders named in .handbook/staging/ by a build that no longer runs are removed: a
    coordinator's own `build.old-2025-cycle` stays, whatever its name.
    """
    records = layout.root / STAGING_RECORDS
    if not records.is_dir():
        return
    for record in records.iterdir():
        if not record.name.startswith(f"{layout.build.name}.new-") or not record.is_file():
            continue
        if not is_alive(_holder(record)):
            _drop_staging(layout, layout.root / record.name)


def _write_error(exc: OSError, layout: Layout, where: str) -> BaseException:
    """Return the coordinator's message for a disk that refused a write; `exc` itself for other errors."""
    from handbook.errors import shown_path

    if exc.errno not in WRITE_PROBLEMS:
        return exc
    shown = shown_path(exc.filename, layout.root) if exc.filename else where
    ours = shown.startswith((f"{layout.build.name}/", str(STATE_DIR))) or shown == layout.build.name
    if exc.errno in (errno.EACCES, errno.EPERM) and not ours:
        return exc  # reading something else failed: not a disk refusing the build's files
    return WriteError.from_os_error(exc, layout.root, where)


def _engine_problems(exc: EngineError, loaded: Loaded) -> HandbookError:
    """Turn engine warnings about content pages into located input problems."""
    content = {page.name for page in loaded.pages}
    problems = []
    for message in exc.message.splitlines()[1:]:
        match = re.search(r"Doc file '([^']+)' contains a link '([^']+)'", message)
        if not match or match.group(1) not in content:
            continue
        page, target = match.groups()
        path = loaded.layout.content / page
        lines = path.read_text(encoding="utf-8-sig").splitlines() if path.is_file() else []
        line = next((n for n, text in enumerate(lines, 1) if f"({target}" in text), 0)
        column = lines[line - 1].find(f"({target}") + 2 if line else 0
        problems.append(Problem(f"content/{page}", line, column,
                                f"the link to {target!r} leads to no page of the handbook",
                                hint="link to a page by its file name, e.g. [Guidelines](guidelines.md) or "
                                     "[FAQ](faq.md)", source_line=lines[line - 1] if line else ""))
    return InputError(problems) if problems else exc


def copy_downloads(print_set: PrintSet, pdf_dir: Path, site_dir: Path) -> int:
    """Copy the PDFs that hold no personal data into the site's downloads/ folder; return how many."""
    public = print_set.public()
    for output in public:
        target = site_dir / DOWNLOADS / output.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf_dir / output.path, target)
    return len(public)


def build_site(loaded: Loaded, tree: SiteTree, site_dir: Path, engine: str = "mkdocs") -> None:
    """Have the site engine build `tree` into `site_dir`, with the project's settings (or the defaults)."""
    from handbook.output.engines import get_engine

    layout = loaded.layout
    settings = layout.mkdocs if layout.mkdocs.is_file() else Path(__file__).parents[1] / "skeleton" / "mkdocs.yml"
    with tempfile.TemporaryDirectory(prefix="handbook-docs-") as work:
        docs_dir = Path(work) / "docs"  # engines may keep their own files beside it
        write_docs(tree, docs_dir)
        try:
            get_engine(engine)(docs_dir=docs_dir, site_dir=site_dir, settings=settings,
                               site_name=loaded.program.program.name, language=loaded.program.program.language,
                               nav=tree.nav, extra_css=["assets/handbook.css"])
        except EngineError as exc:
            raise _engine_problems(exc, loaded) from None


def build(root: Path, *, engine: str = "mkdocs", progress: Progress | None = None,
          watch_pdfs: Callable[[Callable[[], tuple[int, int]]], None] | None = None,
          force: bool = False) -> BuildResult:
    """Build the project at `root` into `root/build`, replacing it only when everything succeeded.

    Nothing is done when no input changed since the last build and build/ is as that build left it
    (`force` builds anyway). `watch_pdfs` is called with a function that tells how far the PDFs are.
    """
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    layout = Layout(root.resolve())
    digest = inputs_digest(layout, engine)
    previous = last_build(layout)
    if not force and previous and previous.get("inputs") == digest and previous.get("outputs") == outputs_stamp(layout):
        say("nothing changed since the last build")
        return BuildResult(layout.build, int(previous.get("pages", 0)), time.perf_counter() - started, skipped=True)
    # First gather all data: load, validate and render, before anything is written.
    loaded = load(root)
    say("program is valid" + (f", cohort of {len(loaded.cohort.participants)} people in "
                              f"{len(loaded.cohort.groups)} groups" if loaded.cohort else ""))
    tree = render_site(loaded)
    say(f"rendered {len(tree.pages)} pages")
    prints = render_print(loaded, loaded.cohort, source_date())
    say(f"rendered {len(prints.paths())} documents for print")
    calendars = render_calendars(loaded.program, loaded.cohort)
    say(f"rendered {len(calendars)} calendars")
    # Start writing files now that all data is gathered: a fresh folder, swapped in at the end.
    from handbook.output.pdf import PdfJob

    layout = loaded.layout
    where = "build/"  # what is being written: named when the disk refuses a write without a file name
    try:
        # SIGTERM/SIGHUP raise here like Ctrl+C, so that the workers and the staging folder go too.
        with stop_on_signals(), project_lock(layout, say):
            _clean_stale(layout)
            staging = _new_staging(layout)
            job = None
            try:
                # The PDFs render in worker processes while this process builds the site.
                where = "build/pdf"
                job = PdfJob(prints, layout.root, staging / "pdf", cache=layout.root / PDF_CACHE)
                where = "build/site"
                build_site(loaded, tree, staging / "site", engine)
                say("site built")
                if watch_pdfs is not None:
                    watch_pdfs(job.progress)
                where = "build/pdf"
                report = job.result()
                say(f"printed {len(report.pages)} PDFs ({report.rendered} rendered, {report.reused} unchanged)")
                where = f"build/site/{DOWNLOADS}"
                copied = copy_downloads(prints, staging / "pdf", staging / "site")
                say(f"{copied} PDFs offered for download on the site")
                where = f"build/{OFFLINE_ZIP}"
                package_site(staging / "site", staging / OFFLINE_ZIP)
                say(f"offline copy packed: {OFFLINE_ZIP}")
                where = f"build/{CALENDAR_DIR}"
                _write_tree(staging / CALENDAR_DIR, dict(calendars))
                where = f"build/{PRIVATE_DIR}"
                keep_private(layout.build, staging)
                where = "build/"
                with _shielded():
                    publish(staging, layout.build, _parking(staging))
            except BaseException:
                if job is not None:
                    job.close()
                raise
            finally:
                _drop_staging(layout, staging)
            try:
                remember_build(layout, digest, len(tree.pages))
            except OSError:
                pass  # only the next build's "nothing changed" check reads it: that build does the work
    except OSError as exc:
        error = _write_error(exc, layout, where)
        if error is exc:
            raise
        raise error from exc
    return BuildResult(layout.build, len(tree.pages), time.perf_counter() - started, notes=report.notes)
