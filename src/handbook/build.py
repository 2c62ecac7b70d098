"""The build, in stages: load, validate, render; then write into a fresh folder that replaces build/."""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

from .calendars import render_calendars
from .cohort import Cohort, load_cohort

from .errors import EngineError, HandbookError, InputError, Problem
from .offline import OFFLINE_ZIP, package_site
from .printing import PrintSet, render_print
from .project import PROGRAM_FILE, Layout, Loaded, load_content, load_program, template_problems
from .site import SiteTree, render_site, reserved_names
from .yamlsource import check_syntax, load_yaml

Progress = Callable[[str], None]
PDF_CACHE = Path(".handbook") / "cache" / "pdf"  # PDFs of the last build by the hash of their inputs
DOWNLOADS = "downloads"  # folder of the site that offers the non-personal PDFs
CALENDAR_DIR = "calendar"  # one .ics per group and program.ics
PRIVATE_DIR = "private"  # coordinator-only files another command wrote (the match report); kept


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    build_dir: Path
    pages: int
    seconds: float
    skipped: bool = False  # nothing changed, nothing was done


@dataclass(frozen=True)
class LoadedProject(Loaded):
    """A loaded project with its cohort: None when program.yaml names no cohort file."""

    cohort: Optional[Cohort] = None


def load(root: Path) -> LoadedProject:
    """Load and validate a whole project: program, cohort, content pages; raise InputError with all problems."""
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
    problems += template_problems(layout)
    if layout.mkdocs.is_file():
        try:
            check_syntax(layout.mkdocs.read_bytes(), layout.mkdocs.name)
        except InputError as exc:
            problems += exc.problems
    cohort = None
    reference = _cohort_reference(layout, program)
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


STATE_FILE = Path(".handbook") / "last-build.json"


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
    package = Path(__file__).parent
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
    state = layout.root / STATE_FILE
    state.parent.mkdir(parents=True, exist_ok=True)
    temp = state.with_suffix(".tmp")
    temp.write_text(json.dumps({"inputs": digest, "pages": pages, "outputs": outputs_stamp(layout)}),
                    encoding="utf-8")
    os.replace(temp, state)


def keep_private(previous: Path, staging: Path) -> None:
    """Carry build/private/ (written by `handbook match`, not by the build) into the new build."""
    source = previous / PRIVATE_DIR
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, staging / PRIVATE_DIR, symlinks=True)


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
    from .engines import get_engine

    layout = loaded.layout
    settings = layout.mkdocs if layout.mkdocs.is_file() else Path(__file__).parent / "skeleton" / "mkdocs.yml"
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
    from .pdf import PdfJob

    layout = loaded.layout
    with project_lock(layout):
        _clean_stale(layout)
        staging = Path(tempfile.mkdtemp(prefix=f"{layout.build.name}.new-", dir=layout.root))
        job = None
        try:
            # The PDFs render in worker processes while this process builds the site.
            job = PdfJob(prints, layout.root, staging / "pdf", cache=layout.root / PDF_CACHE)
            build_site(loaded, tree, staging / "site", engine)
            say("site built")
            if watch_pdfs is not None:
                watch_pdfs(job.progress)
            report = job.result()
            say(f"printed {len(report.pages)} PDFs ({report.rendered} rendered, {report.reused} unchanged)")
            copied = copy_downloads(prints, staging / "pdf", staging / "site")
            say(f"{copied} PDFs offered for download on the site")
            package_site(staging / "site", staging / OFFLINE_ZIP)
            say(f"offline copy packed: {OFFLINE_ZIP}")
            _write_tree(staging / CALENDAR_DIR, dict(calendars))
            keep_private(layout.build, staging)
            publish(staging, layout.build)
            remember_build(layout, digest, len(tree.pages))
        except BaseException:
            if job is not None:
                job.close()
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return BuildResult(layout.build, len(tree.pages), time.perf_counter() - started)
