"""Laying out print HTML and writing PDF files, in a worker, with what WeasyPrint says collected.

A `Batch` (handbook, forms, blank agreement) is laid out as ONE WeasyPrint document and split
with `Document.copy(pages)`: each file is written by WeasyPrint itself, so it keeps its form
fields, PDF/A metadata, tags and bookmarks. (Splitting the finished PDF with pypdf loses the
AcroForm and the XMP metadata; see benchmarks/agreements.py --pypdf.)

Every file a build hands out is PDF/A-3a (archival, tagged) and claims PDF/UA-1: a structure
tree, /MarkInfo, /Lang, the title shown, table headers with a scope, fields in the structure
(see `weasy.write`). Only the overlays of stamped agreements (`stamp`) are written plain.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ContextManager, Optional, Sequence

from handbook import __version__
from handbook.errors import DISK_ERRORS, InputError, Problem
from handbook.output.pdf import weasy
from handbook.output.pdf.fetch import allowed_roots, project_fetcher, reported
from handbook.render.printing import Batch, Meta, Output, StampSet

PDF_VARIANT = "pdf/a-3a"  # PDF/A-3 level A: tagged; `weasy.write` adds the PDF/UA-1 claim
OUTLINE_FROM = 12  # a file of this many pages or more opens with its bookmarks shown (the book)


@dataclass(frozen=True)
class BatchReport:
    """What a worker did: pages per file written, problems found, its memory peak."""

    pages: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    error: str = ""
    max_rss_mb: float = 0.0
    seconds: float = 0.0
    notes: tuple[str, ...] = ()  # what WeasyPrint said about the machine (see `fetch.machine_note`)


FIT_LEVELS = 3  # how many times a part that should fit on fewer pages is laid out tighter


class Renderer:
    """Lays out and writes documents that share a skeleton and stylesheets, collecting WeasyPrint's log."""

    def __init__(self, kind: Batch | StampSet, root: Path, *, forms: bool, stylesheets: bool = True) -> None:
        self.kind = kind
        self.root = root
        self.forms = forms
        self.base_url = root.resolve().as_uri() + "/"
        self.fetcher = project_fetcher(allowed_roots(root))
        self.fonts = weasy.font_config()
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.stylesheets = []
        for sheet in kind.stylesheets if stylesheets else ():
            with self.collect(sheet.name):
                self.stylesheets.append(weasy.stylesheet(sheet.text, base_url=self.base_url, fetcher=self.fetcher,
                                                         fonts=self.fonts))

    def collect(self, where: str) -> ContextManager[None]:
        """Collect what WeasyPrint logs inside the block as problems of `where`."""
        return reported(where, self.root, self.problems, self.notes)

    def layout(self, bodies: Sequence[str], overlay_css: str = "") -> tuple[Any, list[int]]:
        """Lay out `bodies` as one document, each from a new page; return it and each body's first page.

        With `overlay_css`, the bodies are overlays: only that stylesheet applies. When the kind asks
        its parts to fit on `fit` pages, a longer part is laid out again with the class `hb-fit-1`, then
        `hb-fit-2`, up to `hb-fit-<FIT_LEVELS>`, whose tighter type its stylesheets define.
        """
        fit = 0 if overlay_css else getattr(self.kind, "fit", 0)
        levels = [0] * len(bodies)
        while True:
            document, starts = self._layout(bodies, overlay_css, levels)
            spans = page_ranges(document, starts)
            longer = [n for n, span in enumerate(spans) if fit and len(span) > fit and levels[n] < FIT_LEVELS]
            if not longer:
                return document, starts
            for n in longer:
                levels[n] += 1

    def _layout(self, bodies: Sequence[str], overlay_css: str, levels: Sequence[int]) -> tuple[Any, list[int]]:
        sections = "".join(f'<section class="hb-part{f" hb-fit-{level}" if level else ""}" id="hb-part-{n}">'
                           f'{body}</section>' for n, (body, level) in enumerate(zip(bodies, levels)))
        with self.collect(self.kind.source):
            sheets = [] if overlay_css else list(self.stylesheets)
            sheets.append(weasy.stylesheet(".hb-part + .hb-part { break-before: page; }\n" + overlay_css,
                                           base_url=self.base_url, fetcher=self.fetcher, fonts=self.fonts))
            document = weasy.lay_out(self.kind.head + sections + self.kind.tail, base_url=self.base_url,
                                     fetcher=self.fetcher, stylesheets=sheets, fonts=self.fonts, forms=self.forms,
                                     variant=None if overlay_css else PDF_VARIANT,
                                     tags=not overlay_css, lean=bool(overlay_css))
        # A part's id is an anchor on every page its box reaches; the first one is where it starts.
        starts = [-1] * len(bodies)
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                if anchor.startswith("hb-part-") and starts[int(anchor[8:])] < 0:
                    starts[int(anchor[8:])] = index
        if -1 in starts:
            raise RuntimeError(f"part {starts.index(-1)} of the {self.kind.name} produced no page")
        return document, starts

    def write(self, document: Any, pages: list[Any], meta: Optional[Meta] = None, *, archival: bool = True) -> bytes:
        """Return `pages` of `document` as PDF bytes, with `meta` as metadata.

        `archival`: PDF/A-3a and PDF/UA-1, tagged; otherwise a plain untagged PDF (a stamping overlay).
        """
        with self.collect(self.kind.source):
            return weasy.write(document, pages, meta, generator=f"handbook {__version__}",
                               variant=PDF_VARIANT if archival else None, forms=self.forms,
                               tags=archival, outline_from=OUTLINE_FROM if archival else 0)


def page_ranges(document: Any, starts: list[int]) -> list[range]:
    """Return the pages of each part of `document`, from the part's first page to the next one's."""
    ends = starts[1:] + [len(document.pages)]
    return [range(s, e) for s, e in zip(starts, ends)]


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def guard(work: Callable[[], BatchReport]) -> BatchReport:
    """Run `work`; a failure becomes a report with the traceback (the parent raises it)."""
    started = time.perf_counter()
    try:
        report = work()
    except Exception as exc:  # reported by the parent as an engine error, the traceback for --debug
        if isinstance(exc, OSError) and exc.errno in DISK_ERRORS:
            raise  # the parent names the file and stops, as for a write of its own
        report = BatchReport(error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    return BatchReport(report.pages, tuple(dict.fromkeys(report.problems)), report.error, _rss_mb(),
                       time.perf_counter() - started, report.notes)


def render_batch(batch: Batch, root: Path, out_dir: Path) -> BatchReport:
    """Render every output of `batch` into `out_dir` as one laid-out document (never raises)."""
    def work() -> BatchReport:
        renderer = Renderer(batch, root, forms=batch.forms)
        if renderer.problems:
            return BatchReport(problems=tuple(renderer.problems), notes=tuple(renderer.notes))
        document, starts = renderer.layout([o.html for o in batch.outputs])
        pages: dict[str, int] = {}
        for output, span in zip(batch.outputs, page_ranges(document, starts)):
            data = renderer.write(document, [document.pages[i] for i in span], output.meta)
            target = out_dir / output.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            pages[output.path] = len(span)
        return BatchReport(pages, tuple(renderer.problems), notes=tuple(renderer.notes))

    return guard(work)


def render_alone(batch: Batch, output: Output, root: Path, target: Path) -> int:
    """Render one output as its own WeasyPrint document (the naive path); return its pages."""
    renderer = Renderer(batch, root, forms=batch.forms)
    document, _starts = renderer.layout([output.html])
    target.write_bytes(renderer.write(document, list(document.pages), output.meta))
    if renderer.problems:
        raise InputError(renderer.problems)
    return len(document.pages)
