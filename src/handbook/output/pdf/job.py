"""A build's PDFs: what the cache has is copied, the rest is rendered by the workers, then checked.

`PdfJob` starts the work and returns at once (the build makes the site meanwhile); `result()`
waits and raises the problems found. `write_pdfs` does both.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from handbook.errors import EngineError, InputError
from handbook.output.pdf.cache import Cache, fill_key, output_key, template_key
from handbook.output.pdf.pool import Workers, chunks, default_workers
from handbook.output.pdf.renderer import BatchReport, render_batch
from handbook.output.pdf.stamp import Template, render_template, stamp_fills
from handbook.render.printing import Batch, PrintSet, StampSet

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PdfReport:
    """What `write_pdfs` did: pages per file, how many files were rendered or reused."""

    pages: dict[str, int]
    rendered: int
    reused: int
    seconds: float
    max_rss_mb: float  # the largest worker's peak resident memory
    notes: tuple[str, ...] = ()  # one line each, about the machine, never about the documents


class PdfJob:
    """PDFs being written by worker processes while the caller does something else (builds the site).

    Files whose inputs did not change come from the cache at once; the rest is submitted to a
    pool of processes started right here, from the calling thread, so that no other thread of
    this process is copied into them. `result()` waits, checks and returns the report.
    """

    def __init__(self, print_set: PrintSet, root: Path, out_dir: Path, *, cache: Optional[Path] = None,
                 workers: Optional[int] = None) -> None:
        self.started = time.perf_counter()
        self.print_set = print_set
        self.root = root
        self.out_dir = out_dir
        self.workers = workers or default_workers()
        self.store = Cache(cache)
        self.keys: dict[str, str] = {}
        self.reused = 0
        self.rendered = 0
        self.reports: list[BatchReport] = []
        self.futures: list[Future[Any]] = []
        self.lock = threading.Lock()
        self.templates_pending = 0  # templates whose stamping is not yet submitted
        self.pool: Optional[Workers] = None
        batches, stamp_work = self._plan()
        if batches or stamp_work:
            self.pool = Workers(self.workers)
            for todo, variant, template in stamp_work:
                if template is None:
                    with self.lock:
                        self.templates_pending += 1
                    future = self.pool.submit(render_template, todo, variant, root)
                    future.add_done_callback(self._template_done(todo, variant))
                    self._track(future)
                else:
                    self._stamp(todo, template)
            for batch in sorted(batches, key=lambda b: -sum(len(o.html) for o in b.outputs)):
                self._track(self.pool.submit(render_batch, batch, root, out_dir))

    def _plan(self) -> tuple[list[Batch], list[tuple[StampSet, str, Optional[Template]]]]:
        """Copy what the cache has; return the batches and stamp sets left to render."""
        batches: list[Batch] = []
        for batch in self.print_set.batches:
            missing = []
            for output in batch.outputs:
                self.keys[output.path] = output_key(batch, output)
                if not self._reuse(output.path):
                    missing.append(output.path)
            if missing:
                batches.append(batch.subset(missing))
                self.rendered += len(missing)
        stamp_work: list[tuple[StampSet, str, Optional[Template]]] = []
        for stamps in self.print_set.stamps:
            for variant in stamps.templates:
                own = stamps.subset(f.path for f in stamps.fills if f.variant == variant)
                missing = []
                for fill in own.fills:
                    self.keys[fill.path] = fill_key(stamps, fill)
                    if not self._reuse(fill.path):
                        missing.append(fill.path)
                key = template_key(stamps, variant)
                self.store.keep(key, ".pdf", ".json")  # kept for the next change in this variant
                if not missing:
                    continue
                self.rendered += len(missing)
                pdf, layout = self.store.get(key), self.store.get(key, ".json")
                template = Template.from_json(layout.decode(), pdf) if pdf and layout else None
                stamp_work.append((own.subset(missing), variant, template))
        return batches, stamp_work

    def _reuse(self, path: str) -> bool:
        data = self.store.get(self.keys[path])
        if data is None:
            return False
        target = self.out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.reused += 1
        return True

    def _track(self, future: Future[Any]) -> None:
        with self.lock:
            self.futures.append(future)

    def _stamp(self, todo: StampSet, template: Template) -> None:
        pool = self.pool
        if pool is None:  # the job was abandoned
            return
        for part in chunks(todo.fills, self.workers):
            subset = todo.subset(f.path for f in part)
            self._track(pool.submit(stamp_fills, subset, template, self.root, self.out_dir))

    def _template_done(self, todo: StampSet, variant: str) -> Callable[[Future[Any]], None]:
        def done(future: Future[Any]) -> None:
            try:
                if future.cancelled() or future.exception() is not None:
                    return
                template: Template = future.result()
                if template.problems or template.error:
                    return
                key = template_key(todo, variant)
                self.store.put(key, template.pdf)
                self.store.put(key, template.to_json().encode(), ".json")
                self._stamp(todo, template)
            except RuntimeError:  # the pool was shut down: the job was abandoned
                pass
            finally:
                with self.lock:
                    self.templates_pending -= 1

        return done

    def progress(self) -> tuple[int, int]:
        """Return (units of work done, units of work known so far); stamping adds units as templates finish."""
        with self.lock:
            futures = list(self.futures)
            pending = self.templates_pending
        return sum(f.done() for f in futures), len(futures) + pending

    def result(self) -> PdfReport:
        """Wait for every file; raise InputError or EngineError on problems, else return the report."""
        try:
            while True:
                with self.lock:
                    futures = list(self.futures)
                    settled = self.templates_pending == 0
                if settled and all(f.done() for f in futures):
                    break
                wait(futures, timeout=None if settled else 0.05)
            for future in futures:
                result = future.result()
                if isinstance(result, Template):
                    if result.problems or result.error or result.notes:
                        self.reports.append(BatchReport(problems=result.problems, error=result.error,
                                                        notes=result.notes))
                else:
                    self.reports.append(result)
        finally:
            self.close()
        problems = list(dict.fromkeys(p for r in self.reports for p in r.problems))
        if problems:
            raise InputError(problems, f"{len(problems)} problem{'s' if len(problems) != 1 else ''} while "
                                       "printing the PDFs; nothing was written.")
        errors = [r.error for r in self.reports if r.error]
        if errors:
            # The worker's traceback travels as the cause: `--debug` shows it, a coordinator does not.
            raise EngineError(f"the PDF renderer failed: {errors[0].splitlines()[0]}",
                              hint="run again with --debug and report the traceback") from RuntimeError(errors[0])
        pages: dict[str, int] = {}
        for report in self.reports:
            pages.update(report.pages)
        for path in self.print_set.paths():
            if path not in pages:
                pages[path] = _count_pages(self.out_dir / path)
            elif path in self.keys:
                self.store.put(self.keys[path], (self.out_dir / path).read_bytes())
        self.store.prune()
        rss = max([r.max_rss_mb for r in self.reports], default=0.0)
        notes = tuple(dict.fromkeys(n for r in self.reports for n in r.notes))  # once per build, not per worker
        return PdfReport(pages, self.rendered, self.reused, time.perf_counter() - self.started, rss, notes)

    def close(self) -> None:
        """Stop the workers (at once when the job is abandoned)."""
        if self.pool is None:
            return
        pool, self.pool = self.pool, None
        pool.close(abandon=any(not f.done() for f in self.futures))


def write_pdfs(print_set: PrintSet, root: Path, out_dir: Path, *, cache: Optional[Path] = None,
               workers: Optional[int] = None, progress: Optional[Progress] = None) -> PdfReport:
    """Write every PDF of `print_set` into `out_dir`, rendering only files whose inputs changed.

    `cache` (e.g. `.handbook/cache/pdf`) keeps the files of the last build by the hash of their
    inputs; entries this build does not use are removed. Raises InputError when WeasyPrint
    reports a problem with a template or a resource, EngineError when rendering fails.
    """
    report = PdfJob(print_set, root, out_dir, cache=cache, workers=workers).result()
    if progress:
        progress(f"printed {len(print_set.paths())} PDFs ({report.rendered} rendered, {report.reused} unchanged)")
    return report


def _count_pages(path: Path) -> int:
    import pikepdf

    with pikepdf.Pdf.open(path) as pdf:
        return len(pdf.pages)
