"""The workspace: how commands write into a project without ever leaving it half-written.

- atomic writes: `write_atomically` (every file written in place: state, private files, the
  match's outputs, the PDF cache), `private_dir`, `write_tree`;
- the project lock (`project_lock`): one build at a time, stale locks of killed builds replaced;
- signals (`stop_on_signals`, `shielded`): SIGTERM and SIGHUP stop a build as Ctrl+C does, and
  never while it publishes;
- the staging folder (`staging`): a fresh folder next to build/, recorded in .handbook/staging/
  so that the next build removes it if this one is killed; `publish` swaps it in for build/;
- the incremental state: what the last build read (`inputs_digest`) and wrote (`outputs_stamp`);
- `write_error`: a disk that refuses a write, said in the coordinator's words.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from handbook.errors import (
    WRITE_PROBLEMS,
    HandbookError,
    Stopped,
    WriteError,
    shown_path,
)
from handbook.layout import PRIVATE_DIR, STATE_DIR, Layout

Say = Callable[[str], None]
PACKAGE = Path(__file__).parents[1]  # src/handbook: its files shape every build

# --- writing files ------------------------------------------------------------------------------


def private_dir(path: Path) -> Path:
    """Create `path` and its missing parents for their owner only (0700, like build/); return it."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return missing[0] if missing else path


def write_atomically(path: Path, data: bytes | str) -> None:
    """Replace `path` with `data` in one step, readable by its owner only (0600); an error names `path`.

    A reader (or a build killed halfway) sees the old file or the new one, never part of one: the
    data goes to a hidden temporary file beside `path`, reaches the disk, then takes its name.
    Text is written as UTF-8 with the line ends it has.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp makes it 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        if exc.filename is None:  # a failed write() names no file; the coordinator needs one
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_private(path: Path, data: bytes) -> None:
    """Write `path` atomically, readable by its owner only (0600); an error names the file."""
    write_atomically(path, data)


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    """Write `files` (relative path: text or bytes) under `root`, a folder nobody reads until it is published."""
    for relative, data in sorted(files.items()):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8", newline="\n")
        else:
            target.write_bytes(data)


def state_dir(layout: Layout) -> Path:
    """Return .handbook/, made private: it holds named agreements (the PDF cache) like build/ does."""
    folder = private_dir(layout.state)
    try:
        if folder.stat().st_mode & 0o077:  # made by an older version, or by hand
            folder.chmod(0o700)
    except OSError:
        pass
    return folder


def write_error(exc: OSError, layout: Layout, where: str) -> BaseException:
    """Return the coordinator's message for a disk that refused a write; `exc` itself for other errors."""
    if exc.errno not in WRITE_PROBLEMS:
        return exc
    shown = shown_path(exc.filename, layout.root) if exc.filename else where
    ours = shown.startswith((f"{layout.build.name}/", STATE_DIR)) or shown == layout.build.name
    if exc.errno in (errno.EACCES, errno.EPERM) and not ours:
        return exc  # reading something else failed: not a disk refusing the build's files
    return WriteError.from_os_error(exc, layout.root, where)


# --- the incremental state: a build with nothing new to do does nothing ---------------------------


def inputs_digest(layout: Layout, engine: str) -> str:
    """Return a fingerprint of everything that shapes a build: inputs, this package, engine and date."""
    digest = hashlib.sha256()
    digest.update(f"{engine}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
    for path in layout.build_inputs():
        digest.update(layout.relative(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes() if path.is_file() else b"(absent)")
        except OSError:  # unreadable: the build will say so
            digest.update(b"(unreadable)")
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
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
        return json.loads(layout.state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remember_build(layout: Layout, digest: str, pages: int) -> None:
    """Record the inputs and outputs of a successful build, for the next no-op check."""
    state_dir(layout)
    write_atomically(layout.state_file,
                     json.dumps({"inputs": digest, "pages": pages, "outputs": outputs_stamp(layout)}))


# --- publishing: the new build replaces build/ in one step --------------------------------------

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
def shielded() -> Iterator[None]:
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
def project_lock(layout: Layout, say: Say | None = None) -> Iterator[None]:
    """Hold the project's build lock; a second build in the same project is refused clearly.

    The lock file names its holder ("pid start-time"). When the lock is held but its holder has
    ended, what holds it are processes a killed build left behind (PDF workers of versions before
    this one: today's workers end with their build and let go of the lock at their start). Those
    are not killed, as nobody asked for it; the lock file is replaced instead, so they block
    nothing, and `say` names them.
    """
    state_dir(layout)
    path = layout.lock
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


# --- the staging folder: the next build/, written beside it ------------------------------------


def _new_staging(layout: Layout) -> Path:
    """Create the folder a build writes into, next to build/, and record that this process made it.

    The record comes first: a build killed at any moment leaves no folder the next build does
    not know to remove (at worst a record of a folder that was never made).
    """
    private_dir(layout.staging_records)
    while True:
        name = f"{layout.build.name}.new-{secrets.token_hex(4)}"
        record = layout.staging_records / name
        write_atomically(record, owner_id())
        try:
            (layout.root / name).mkdir(mode=0o700)
        except FileExistsError:  # someone's folder of that name: not ours to use
            record.unlink(missing_ok=True)
            continue
        except BaseException:
            record.unlink(missing_ok=True)
            raise
        return layout.root / name


def parking(staging: Path) -> Path:
    """Return where `publish` may move the previous build: a name the staging record also covers."""
    return staging.with_name(staging.name + ".old")


def _drop_staging(layout: Layout, staging: Path) -> None:
    """Remove a staging folder (and its parking place), then the record that this build made it."""
    for folder in (staging, parking(staging)):
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
    (layout.staging_records / staging.name).unlink(missing_ok=True)


def _clean_stale(layout: Layout) -> None:
    """Remove the folders that builds which were killed created; never any other folder.

    Only folders named in .handbook/staging/ by a build that no longer runs are removed: a
    coordinator's own `build.old-2025-cycle` stays, whatever its name.
    """
    records = layout.staging_records
    if not records.is_dir():
        return
    for record in records.iterdir():
        if not record.name.startswith(f"{layout.build.name}.new-") or not record.is_file():
            continue
        if not is_alive(_holder(record)):
            _drop_staging(layout, layout.root / record.name)


@contextmanager
def staging(layout: Layout) -> Iterator[Path]:
    """Yield a fresh folder next to build/ to write the next build into; it is gone afterwards.

    Hold the project lock around it. Folders of killed builds are removed first; this one is
    recorded so that, if this build is killed, the next one removes it. Publish it (it then holds
    the previous build, or nothing) before the block ends to keep what was written.
    """
    _clean_stale(layout)
    folder = _new_staging(layout)
    try:
        yield folder
    finally:
        _drop_staging(layout, folder)
