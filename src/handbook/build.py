"""The build, in stages: load, validate, render; then write into a fresh folder that replaces build/."""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from contextlib import contextmanager

from .errors import EngineError, HandbookError, InputError, Problem
from .project import Layout, Loaded, load_content, load_program
from .site import SiteTree, render_site, reserved_names

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    build_dir: Path
    pages: int
    seconds: float


def load(root: Path) -> Loaded:
    """Load and validate a whole project: program, content pages; raise InputError with all problems."""
    layout = Layout(root.resolve())
    problems: list[Problem] = []
    program = None
    try:
        program = load_program(layout)
    except InputError as exc:
        problems += exc.problems
    try:
        pages, assets = load_content(layout, reserved_names())
    except InputError as exc:
        problems += exc.problems
        pages, assets = (), ()
    if problems or program is None:
        raise InputError(problems)
    return Loaded(layout, program, pages, assets)


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


def publish(staging: Path, target: Path) -> None:
    """Make `staging` the new `target` in one step; the old target is removed afterwards."""
    if not target.exists():
        os.replace(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the previous build
        return
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def project_lock(layout: Layout) -> Iterator[None]:
    """Hold the project's build lock; a second build in the same project is refused clearly."""
    state = layout.root / ".handbook"
    state.mkdir(exist_ok=True)
    handle = open(state / "build.lock", "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HandbookError("another `handbook build` is running in this project",
                                hint="wait for it to finish, then build again") from None
        yield
    finally:
        handle.close()


def _clean_stale(layout: Layout) -> None:
    """Remove staging folders left by builds that were killed (we hold the lock, so none is live)."""
    for path in layout.root.glob(f"{layout.build.name}.*"):
        if path.is_dir() and re.search(r"\.(new|old)-", path.name):
            shutil.rmtree(path, ignore_errors=True)


def _engine_problems(exc: EngineError, loaded: Loaded) -> HandbookError:
    """Turn engine warnings about content pages into located input problems."""
    content = {page.name for page in loaded.pages}
    problems = []
    for message in exc.message.splitlines()[1:]:
        match = re.search(r"Doc file '([^']+)'", message)
        if match and match.group(1) in content:
            problems.append(Problem(f"content/{match.group(1)}", 0, 0, message.strip(" -"),
                                    hint="links between pages use the page file name, e.g. [FAQ](faq.md)"))
    return InputError(problems) if problems else exc


def build(root: Path, *, engine: str = "mkdocs", progress: Progress | None = None) -> BuildResult:
    """Build the project at `root` into `root/build`, replacing it only when everything succeeded."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    # First gather all data: load, validate and render, before anything is written.
    loaded = load(root)
    say("program is valid")
    tree = render_site(loaded)
    say(f"rendered {len(tree.pages)} pages")
    # Start writing files now that all data is gathered: a fresh folder, swapped in at the end.
    from .engines import get_engine

    layout = loaded.layout
    site_engine = get_engine(engine)
    with project_lock(layout):
        _clean_stale(layout)
        staging = Path(tempfile.mkdtemp(prefix=f"{layout.build.name}.new-", dir=layout.root))
        try:
            with tempfile.TemporaryDirectory(prefix="handbook-docs-") as docs:
                docs_dir = Path(docs)
                write_docs(tree, docs_dir)
                settings = layout.mkdocs if layout.mkdocs.is_file() else Path(__file__).parent / "skeleton" / "mkdocs.yml"
                try:
                    site_engine(docs_dir=docs_dir, site_dir=staging / "site", settings=settings,
                                site_name=loaded.program.program.name, language=loaded.program.program.language,
                                nav=tree.nav, extra_css=["assets/handbook.css"])
                except EngineError as exc:
                    raise _engine_problems(exc, loaded) from None
            say("site built")
            publish(staging, layout.build)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return BuildResult(layout.build, len(tree.pages), time.perf_counter() - started)
