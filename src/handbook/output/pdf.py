"""The PDF adapter: print HTML becomes PDF files with WeasyPrint, in batches, on every core.

WeasyPrint (and pikepdf) are imported inside functions only.

- A `Batch` (handbook, forms, blank agreement) is laid out as ONE WeasyPrint document and
  split with `Document.copy(pages)`: each file is written by WeasyPrint itself, so it keeps its
  form fields, PDF/A metadata, tags and bookmarks. (Splitting the finished PDF with pypdf loses
  the AcroForm and the XMP metadata; see benchmarks/agreements.py --pypdf.)
- A `StampSet` (the groups' agreements) is made from one template per variant, laid out and
  written once with an empty box (a slot) wherever a group's value goes. The values of all
  groups are laid out in one WeasyPrint document of small overlay pages, each text at its
  slot's place and in its slot's style (set smaller when it is too long for the box), and
  pikepdf stamps each group's overlay pages onto a copy of the template and sets its title.
  Laying out eight pages of terms once instead of once per group is what makes hundreds of
  agreements cheap; each file still depends only on its own inputs.

Safety: resources are fetched only from inside the project and the package's templates (no
network), and anything WeasyPrint logs as a warning or an error fails the build, named; only
its messages about the machine (a library it lacks) are passed on as notes instead.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

from handbook import __version__
from handbook.errors import DISK_ERRORS, EngineError, InputError, Problem, did_you_mean
from handbook.load.project import Layout
from handbook.render.printing import Batch, Fill, Output, PrintSet, StampSet
from handbook.render.templating import PACKAGE_TEMPLATES

PDF_VARIANT = "pdf/a-3b"
MAX_CHUNK = 100  # files per WeasyPrint document: bounds the memory a worker needs
RENDERER = "2"  # bump when the way files are made changes: invalidates the cache
MIN_SHRINK = 0.5  # a stamped text is set at least at half its size
TEMPLATE_TITLE = "handbook-template-title"  # replaced by each stamped file's title

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BatchReport:
    """What a worker did: pages per file written, problems found, its memory peak."""

    pages: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    error: str = ""
    max_rss_mb: float = 0.0
    seconds: float = 0.0
    notes: tuple[str, ...] = ()  # what WeasyPrint said about the machine (see `machine_note`)


@dataclass(frozen=True)
class PdfReport:
    """What `write_pdfs` did: pages per file, how many files were rendered or reused."""

    pages: dict[str, int]
    rendered: int
    reused: int
    seconds: float
    max_rss_mb: float  # the largest worker's peak resident memory
    notes: tuple[str, ...] = ()  # one line each, about the machine, never about the documents


# --- safety: fetching and logging ---------------------------------------------------------


def allowed_roots(root: Path) -> tuple[Path, ...]:
    """Return the folders WeasyPrint may read from: the site's assets and the print templates.

    Never the rest of the project: the cohort, rosters, program.yaml, mkdocs.yml, build/,
    .handbook/ and private/ hold personal data or are not meant for print, and anything
    WeasyPrint reads can end up inside a PDF (an image, a font, an attachment). The folders
    themselves are not resolved: a file reached through a link to elsewhere stays outside.
    """
    layout = Layout(root.resolve())
    return (layout.content, layout.templates, (PACKAGE_TEMPLATES / "print").resolve())


def _fetcher(roots: Sequence[Path]) -> Any:
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectFetcher(URLFetcher):
        """Serves files inside the allowed folders and `data:` URLs; refuses everything else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"refused {url!r}: only files inside the project are used, never the network")
            path = Path(unquote(parts.path)).resolve()
            if not any(path == r or r in path.parents for r in roots):
                raise ValueError(f"refused {url!r}: only files in content/ and templates/ are used in print")
            if path.suffix.lower() == ".md":  # a content page is text for the book, not a resource
                raise ValueError(f"refused {url!r}: a Markdown page is not an image, font or stylesheet")
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return ProjectFetcher()


class _Collect(logging.Handler):
    """Collects WeasyPrint's warnings and errors while a document renders."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _shown(message: str, root: Path) -> str:
    """Return a log message with the project's absolute paths made relative."""
    for prefix in (root.resolve().as_uri() + "/", str(root.resolve()) + os.sep):
        message = message.replace(prefix, "")
    package = (PACKAGE_TEMPLATES / "print").resolve()
    return message.replace(package.as_uri() + "/", "(built-in) print/")


# WeasyPrint's messages about the machine it runs on rather than about the document (its
# pdf/fonts.py): the PDFs are right without what they ask for, so they never fail a build and
# are shown once per build as a note. Anything else WeasyPrint logs is a problem of the input.
_MACHINE_NOTES = (
    (re.compile(r"Using fontTools instead of HarfBuzz-Subset"),
     "note: this machine lacks the HarfBuzz-Subset library, so fonts are packed into the PDFs with "
     "fontTools instead; the PDFs are still correct. Install libharfbuzz-subset0 for faster builds "
     "(Debian, Ubuntu: sudo apt-get install libharfbuzz-subset0)"),
    (re.compile(r"Please install HarfBuzz version .*harfbuzz-vector"),
     "note: this machine's HarfBuzz cannot draw colour emoji fonts, so an emoji may print without "
     "its colours; everything else in the PDFs is correct. A HarfBuzz with harfbuzz-vector draws them"),
)


def machine_note(message: str) -> Optional[str]:
    """Return the note for a WeasyPrint message about the machine, None for one about the document."""
    return next((note for pattern, note in _MACHINE_NOTES if pattern.search(message)), None)


def _problems(records: Iterable[logging.LogRecord], where: str, root: Path) -> list[Problem]:
    problems = []
    for record in records:
        if machine_note(record.getMessage()) is not None:
            continue
        message = _shown(record.getMessage(), root)
        line, column = 0, 0
        found = re.search(r" at (\d+):(\d+)", message)
        if found and where.endswith(".css"):
            line, column = int(found.group(1)), int(found.group(2))
        unknown = re.match(r"Ignored `([\w-]+): .*, unknown property\.$", message)
        if unknown:
            hint = f"no such property in CSS{did_you_mean(unknown.group(1), _css_properties())}: check its spelling"
        elif "Font-face" in message:
            hint = "check the url() of this @font-face: fonts are read from content/ and templates/ only"
        elif "refused" in message or "Failed to load" in message:
            hint = ("print reads images, fonts and stylesheets from content/ and templates/ only, never the "
                    "cohort, rosters or build/; put the file there")
        else:
            hint = "check the HTML and CSS of this template"
        problems.append(Problem(where, line, column, f"the PDF renderer reports: {message}", hint=hint,
                                source_line=_source_line(root / where, line)))
    return problems


def _css_properties() -> set[str]:
    from weasyprint.css.properties import KNOWN_PROPERTIES
    from weasyprint.css.validation.expanders import EXPANDERS

    return set(KNOWN_PROPERTIES) | set(EXPANDERS)


def _source_line(path: Path, line: int) -> str:
    """Return line `line` of a project file, shown under its problem; '' for none."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if line > 0 and path.is_file() else []
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[line - 1] if 0 < line <= len(lines) else ""


# --- rendering, in a worker ---------------------------------------------------------------


class _Renderer:
    """Lays out and writes documents that share a skeleton and stylesheets, collecting WeasyPrint's log."""

    def __init__(self, kind: Batch | StampSet, root: Path, *, forms: bool, tagged: bool,
                 stylesheets: bool = True) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.kind = kind
        self.root = root
        self.forms = forms
        self.tagged = tagged
        self.base_url = root.resolve().as_uri() + "/"
        self.fetcher = _fetcher(allowed_roots(root))
        self.fonts = FontConfiguration()
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.stylesheets = []
        for sheet in kind.stylesheets if stylesheets else ():
            with self.collect(sheet.name):
                self.stylesheets.append(CSS(string=sheet.text, base_url=self.base_url, url_fetcher=self.fetcher,
                                            font_config=self.fonts))

    def collect(self, where: str) -> "_Capture":
        return _Capture(self, where)

    def layout(self, bodies: Sequence[str], overlay_css: str = "") -> tuple[Any, list[int]]:
        """Lay out `bodies` as one document, each from a new page; return it and each body's first page.

        With `overlay_css`, the bodies are overlays: only that stylesheet applies.
        """
        from weasyprint import CSS, HTML

        sections = "".join(f'<section class="hb-part" id="hb-part-{n}">{body}</section>'
                           for n, body in enumerate(bodies))
        with self.collect(self.kind.source):
            sheets = [] if overlay_css else list(self.stylesheets)
            sheets.append(CSS(string=".hb-part + .hb-part { break-before: page; }\n" + overlay_css,
                              font_config=self.fonts))
            kind = _overlay_html_class() if overlay_css else HTML
            document = kind(string=self.kind.head + sections + self.kind.tail, base_url=self.base_url,
                            url_fetcher=self.fetcher).render(
                stylesheets=sheets, font_config=self.fonts, pdf_forms=self.forms,
                pdf_variant=None if overlay_css else PDF_VARIANT, pdf_tags=self.tagged)
        # A part's id is an anchor on every page its box reaches; the first one is where it starts.
        starts = [-1] * len(bodies)
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                if anchor.startswith("hb-part-") and starts[int(anchor[8:])] < 0:
                    starts[int(anchor[8:])] = index
        if -1 in starts:
            raise RuntimeError(f"part {starts.index(-1)} of the {self.kind.name} produced no page")
        return document, starts

    def write(self, document: Any, pages: list[Any], meta: Any = None, *, archival: bool = True) -> bytes:
        """Return `pages` of `document` as PDF bytes, with `meta` (a printing.Meta) as metadata."""
        from weasyprint.document import DocumentMetadata

        copy = document.copy(pages)
        if meta is not None:
            copy.metadata = DocumentMetadata(
                title=meta.title, authors=[meta.author], description=meta.subject, keywords=list(meta.keywords),
                generator=f"handbook {__version__}", created=meta.created, modified=meta.created,
                lang=meta.language)
        with self.collect(self.kind.source):
            return copy.write_pdf(pdf_variant=PDF_VARIANT if archival else None, pdf_forms=self.forms,
                                  pdf_tags=self.tagged, finisher=_finish_forms if self.forms else None)


_OVERLAY_HTML: Any = None


def _overlay_html_class() -> Any:
    """Return an HTML class for overlays: a user-agent stylesheet of two rules instead of HTML's.

    Overlays are positioned texts; the full HTML stylesheet would cost a third of their layout.
    Where WeasyPrint lacks the hook, the full stylesheet is used.
    """
    global _OVERLAY_HTML
    if _OVERLAY_HTML is None:
        from weasyprint import CSS, HTML

        if not hasattr(HTML, "_ua_stylesheets"):
            _OVERLAY_HTML = HTML
        else:
            lean = CSS(string="html, body, section, div { display: block } "
                              "head, style, title, meta, script { display: none }")

            class OverlayHTML(HTML):
                def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
                    return [lean]

            _OVERLAY_HTML = OverlayHTML
    return _OVERLAY_HTML


class _Capture:
    def __init__(self, renderer: _Renderer, where: str) -> None:
        self.renderer = renderer
        self.where = where
        self.handler = _Collect()

    def __enter__(self) -> None:
        logger = logging.getLogger("weasyprint")
        logger.addHandler(self.handler)
        if logger.level == logging.NOTSET or logger.level > logging.WARNING:
            logger.setLevel(logging.WARNING)

    def __exit__(self, *exc: Any) -> None:
        logging.getLogger("weasyprint").removeHandler(self.handler)
        self.renderer.problems += _problems(self.handler.records, self.where, self.renderer.root)
        for record in self.handler.records:
            note = machine_note(record.getMessage())
            if note is not None and note not in self.renderer.notes:
                self.renderer.notes.append(note)


def _finish_forms(document: Any, pdf: Any) -> None:
    """Make form fields PDF/A-friendly: an appearance for every widget, no NeedAppearances flag."""
    import pydyf

    form = pdf.catalog.get("AcroForm")
    if form is None:
        return
    form.pop("NeedAppearances", None)
    for item in list(pdf.objects):
        if not isinstance(item, dict) or item.get("Subtype") != "/Widget":
            continue
        left, bottom, right, top = (float(v) for v in item["Rect"])
        box = pydyf.Array((0, 0, abs(right - left), abs(top - bottom)))
        empty = pydyf.Stream([b"/Tx BMC EMC" if item.get("FT") == "/Tx" else b""],
                             pydyf.Dictionary({"Type": "/XObject", "Subtype": "/Form", "BBox": box}))
        pdf.add_object(empty)
        if "AP" not in item:
            item["AP"] = pydyf.Dictionary({"N": empty.reference})
        else:
            normal = item["AP"]["N"]
            if isinstance(normal, dict) and "Off" not in normal:
                normal["Off"] = empty.reference


def _page_ranges(document: Any, starts: list[int]) -> list[range]:
    ends = starts[1:] + [len(document.pages)]
    return [range(s, e) for s, e in zip(starts, ends)]


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _guard(work: Callable[[], BatchReport]) -> BatchReport:
    """Run `work`; a failure becomes a report with the traceback (the parent raises it)."""
    import traceback

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
        renderer = _Renderer(batch, root, forms=batch.forms, tagged=batch.tagged)
        if renderer.problems:
            return BatchReport(problems=tuple(renderer.problems), notes=tuple(renderer.notes))
        document, starts = renderer.layout([o.html for o in batch.outputs])
        pages: dict[str, int] = {}
        for output, span in zip(batch.outputs, _page_ranges(document, starts)):
            data = renderer.write(document, [document.pages[i] for i in span], output.meta)
            target = out_dir / output.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            pages[output.path] = len(span)
        return BatchReport(pages, tuple(renderer.problems), notes=tuple(renderer.notes))

    return _guard(work)


def render_alone(batch: Batch, output: Output, root: Path, target: Path) -> int:
    """Render one output as its own WeasyPrint document (the naive path); return its pages."""
    renderer = _Renderer(batch, root, forms=batch.forms, tagged=batch.tagged)
    document, _starts = renderer.layout([output.html])
    target.write_bytes(renderer.write(document, list(document.pages), output.meta))
    if renderer.problems:
        raise InputError(renderer.problems)
    return len(document.pages)


# --- agreements: a template, stamped -----------------------------------------------------


@dataclass(frozen=True)
class SlotBox:
    """Where a slot of a template is, in CSS pixels from the page's top-left, and how its text looks."""

    name: str
    page: int
    x: float
    y: float
    width: float
    height: float
    css: str  # font and colour declarations of the slot's text


@dataclass(frozen=True)
class Template:
    """A rendered agreement template: its PDF, its page size and its slots."""

    variant: str
    pdf: bytes
    page_width: float
    page_height: float
    slots: tuple[SlotBox, ...]
    problems: tuple[Problem, ...] = ()
    error: str = ""
    stampable: bool = True  # False: the fills are laid out in full (slots on pages of another size)
    notes: tuple[str, ...] = ()  # as in BatchReport

    def to_json(self) -> str:
        """Return the template's layout (not its PDF) as JSON, for the cache."""
        return json.dumps({"variant": self.variant, "page_width": self.page_width, "page_height": self.page_height,
                           "slots": [asdict(s) for s in self.slots], "stampable": self.stampable}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, pdf: bytes) -> "Template":
        data = json.loads(text)
        return cls(data["variant"], pdf, data["page_width"], data["page_height"],
                   tuple(SlotBox(**s) for s in data["slots"]), stampable=data.get("stampable", True))


def _css_number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _slot_css(box: Any) -> str:
    """Return CSS declarations that set text exactly as it would sit in `box`."""
    style = box.style
    families = ", ".join('"' + f.replace('"', "") + '"' for f in style["font_family"])
    red, green, blue = (round(c * 255) for c in style["color"].to("srgb").coordinates)
    spacing = style["letter_spacing"]
    line = next((c for c in box.children if type(c).__name__ == "LineBox"), None)
    declarations = [
        f"font-family: {families}", f"font-size: {_css_number(style['font_size'])}px",
        f"font-weight: {style['font_weight']}", f"font-style: {style['font_style']}",
        f"font-stretch: {style['font_stretch']}", f"color: rgb({red}, {green}, {blue})",
        f"letter-spacing: {'normal' if spacing == 'normal' else _css_number(spacing) + 'px'}",
        f"text-transform: {style['text_transform']}", f"text-align: {style['text_align_all']}",
        f"line-height: {_css_number(line.height if line is not None else box.height)}px",
    ]
    return "; ".join(declarations)


def _find_slots(document: Any) -> list[SlotBox]:
    """Return every slot of a laid-out template, in page order."""
    slots = []
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            name = element.get("data-slot") if element is not None else None
            if name and type(box).__name__ == "InlineBlockBox":
                slots.append(SlotBox(name, number, box.content_box_x(), box.content_box_y(), box.width, box.height,
                                     _slot_css(box)))
    return slots


def render_template(stamps: StampSet, variant: str, root: Path) -> Template:
    """Lay out and write the template of `variant`; return it with its slots (never raises)."""
    import traceback

    try:
        renderer = _Renderer(stamps, root, forms=stamps.forms, tagged=False)
        if renderer.problems:
            return Template(variant, b"", 0, 0, (), tuple(renderer.problems), notes=tuple(renderer.notes))
        document, _starts = renderer.layout([stamps.templates[variant]])
        slots = _find_slots(document)
        data = renderer.write(document, list(document.pages), replace(stamps.meta, title=TEMPLATE_TITLE))
        page = document.pages[0]
        sizes = {(round(document.pages[s.page].width, 2), round(document.pages[s.page].height, 2)) for s in slots}
        if len(sizes | {(round(page.width, 2), round(page.height, 2))}) > 1:
            slots = []  # pages of several sizes: every agreement is laid out in full instead
        return Template(variant, data, page.width, page.height, tuple(slots), tuple(renderer.problems),
                        stampable=bool(slots) or not _SLOT.search(stamps.templates[variant]),
                        notes=tuple(renderer.notes))
    except Exception as exc:
        return Template(variant, b"", 0, 0, (), (), f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")


def _overlay_pages(template: Template, texts: dict[str, str], scale: dict[str, float]) -> list[str]:
    """Return the overlay pages of one fill: for each page with slots, its texts at their places.

    A slot name may appear on several pages (a name on page 1 and on the signature page), each
    time in its own place and style: the class of a text is the index of its slot.
    """
    by_page: dict[int, list[tuple[int, SlotBox]]] = {}
    for index, slot in enumerate(template.slots):
        by_page.setdefault(slot.page, []).append((index, slot))
    pages = []
    for number in sorted(by_page):
        items = []
        for index, slot in by_page[number]:
            text = texts.get(slot.name, "")
            if not text:
                continue
            style = ""
            factor = scale.get(f"s{index}", 1.0)
            if factor < 1.0:  # set smaller to fit its box
                style = "; ".join(f"{m.group(1)}: {_css_number(float(m.group(2)) * factor)}px"
                                  for m in re.finditer(r"(font-size|letter-spacing): ([\d.]+)px", slot.css))
                style = f' style="{html.escape(style)}"'
            items.append(f'<div class="hb-text s{index}" data-slot="{html.escape(slot.name)}"'
                         f'{style}>{html.escape(text)}</div>')
        pages.append(f'<div class="hb-overlay">{"".join(items)}</div>')
    return pages


def _overlay_css(template: Template) -> str:
    """Return the overlay's stylesheet: the page, and each slot's place and style as a class."""
    rules = [f"@page {{ size: {_css_number(template.page_width)}px {_css_number(template.page_height)}px; "
             "margin: 0; }", "html, body { margin: 0; padding: 0; }",
             ".hb-overlay { position: relative; height: 0; }",
             ".hb-part + .hb-part { break-before: page; }",
             ".hb-text { position: absolute; white-space: nowrap; margin: 0; padding: 0; }"]
    for index, slot in enumerate(template.slots):
        rules.append(f".s{index} {{ left: {_css_number(slot.x)}px; top: {_css_number(slot.y)}px; "
                     f"width: {_css_number(slot.width)}px; height: {_css_number(slot.height)}px; {slot.css} }}")
    return "\n".join(rules)


def _too_wide(document: Any, template: Template) -> dict[tuple[int, str], float]:
    """Return, for each text wider than its slot, (overlay part, slot class) -> the size factor that fits it."""
    found: dict[tuple[int, str], float] = {}
    part = -1
    for page in document.pages:
        for found_box in page._page_box.descendants():
            box = getattr(found_box, "_box", found_box)  # absolutely positioned boxes sit in placeholders
            element = getattr(box, "element", None)
            if element is None:
                continue
            if element.get("id", "").startswith("hb-part-") and type(box).__name__ == "BlockBox":
                part = int(element.get("id")[8:])
            classes = element.get("class", "").split()
            if "hb-text" in classes and type(box).__name__ == "BlockBox":
                index = int(classes[1][1:])
                width = template.slots[index].width
                text = sum(child.width for line in box.children for child in getattr(line, "children", ()))
                if text > width + 0.5:
                    found[(part, f"s{index}")] = width / text * 0.99
    return found


def stamp_fills(stamps: StampSet, template: Template, root: Path, out_dir: Path) -> BatchReport:
    """Write each fill's agreement: its texts laid out in one document, stamped onto the template.

    A text too long for its box is set smaller, down to `MIN_SHRINK`; a fill with a text longer
    still is laid out in full instead, its values in the flow of the page (slow, and rare).
    """
    def work() -> BatchReport:
        if not template.stampable:
            pages, problems, notes = {}, [], []
            for fill in stamps.fills:
                (out_dir / fill.path).parent.mkdir(parents=True, exist_ok=True)
                pages[fill.path], found, noted = _render_full(stamps, fill, root, out_dir / fill.path)
                problems += found
                notes += noted
            return BatchReport(pages, tuple(problems), notes=tuple(dict.fromkeys(notes)))
        renderer = _Renderer(stamps, root, forms=False, tagged=False, stylesheets=False)  # overlays have their own
        fills = list(stamps.fills)
        texts = [dict(f.texts) for f in fills]
        scales: list[dict[str, float]] = [{} for _ in fills]
        overlay_css = _overlay_css(template)

        def lay_out(indexes: list[int]) -> tuple[Any, dict[int, list[int]], dict[int, int]]:
            """Lay out the overlays of `indexes`; return the document, each fill's pages, each part's fill."""
            bodies: list[str] = []
            owners: dict[int, list[int]] = {}
            part_of: dict[int, int] = {}
            for i in indexes:
                pages = _overlay_pages(template, texts[i], scales[i])
                owners[i] = list(range(len(bodies), len(bodies) + len(pages)))
                part_of.update({n: i for n in owners[i]})
                bodies += pages
            document, starts = renderer.layout(bodies, overlay_css)
            return document, {i: [starts[n] for n in own] for i, own in owners.items()}, part_of

        document, owners, part_of = lay_out(list(range(len(fills))))
        placement = {i: (document, own) for i, own in owners.items()}
        full: set[int] = set()
        wide = _too_wide(document, template)
        if wide:
            for (part, slot), factor in wide.items():
                if factor < MIN_SHRINK:
                    full.add(part_of[part])
                else:
                    scales[part_of[part]][slot] = factor
            again = sorted({part_of[p] for p in {p for p, _ in wide}} - full)
            if again:
                document2, owners2, _ = lay_out(again)
                placement.update({i: (document2, own) for i, own in owners2.items()})
        slotted = sorted({s.page for s in template.slots})
        pages: dict[str, int] = {}
        for i, fill in enumerate(fills):
            target = out_dir / fill.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if i in full:
                pages[fill.path], found, noted = _render_full(stamps, fill, root, target)
                renderer.problems += found
                renderer.notes += [n for n in noted if n not in renderer.notes]
                continue
            source, own = placement[i]
            overlay = renderer.write(source, [source.pages[n] for n in own], archival=False)
            pages[fill.path] = _stamp(template.pdf, overlay, slotted, fill, target)
        return BatchReport(pages, tuple(renderer.problems), notes=tuple(renderer.notes))

    return _guard(work)


_SLOT = re.compile(r'<span class="hb-slot" data-slot="([^"]+)">&nbsp;</span>')


def _render_full(stamps: StampSet, fill: Fill, root: Path, target: Path) -> tuple[int, list[Problem], list[str]]:
    """Lay out one fill's agreement in full, its values in place of the slots; return its pages, problems, notes."""
    texts = dict(fill.texts)
    body = _SLOT.sub(lambda m: html.escape(texts.get(m.group(1), "")), stamps.templates[fill.variant])
    renderer = _Renderer(stamps, root, forms=stamps.forms, tagged=False)
    document, _starts = renderer.layout([body])
    target.write_bytes(renderer.write(document, list(document.pages), fill.meta))
    return len(document.pages), renderer.problems, renderer.notes


def _stamp(template: bytes, overlay: bytes, slotted: list[int], fill: Fill, target: Path) -> int:
    """Write `target`: the template with each overlay page drawn over its slotted page; return its pages."""
    import pikepdf

    with pikepdf.Pdf.open(io.BytesIO(template)) as pdf, pikepdf.Pdf.open(io.BytesIO(overlay)) as over:
        for overlay_page, number in zip(over.pages, slotted):
            _draw_over(pdf, pdf.pages[number], overlay_page)
        _retitle(pdf, fill.meta.title)
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        count = len(pdf.pages)
    target.write_bytes(buffer.getvalue())
    return count


def _draw_over(pdf: Any, page: Any, overlay: Any) -> None:
    """Draw `overlay` (a page of the same size) over `page`, as a form XObject with a fixed name.

    pikepdf's own `add_overlay` names the XObject at random, which would make every build's
    bytes differ. The page's content is wrapped in q/Q so the overlay starts from a clean state.
    """
    import pikepdf

    form = pdf.copy_foreign(overlay.as_form_xobject())
    resources = pikepdf.Dictionary(page.obj.get("/Resources", pikepdf.Dictionary()))  # this page's own copy
    xobjects = pikepdf.Dictionary(resources.get("/XObject", pikepdf.Dictionary()))
    name = pikepdf.Name("/HbStamp")
    while name in xobjects:
        name = pikepdf.Name(str(name) + "x")
    xobjects[name] = form
    resources[pikepdf.Name.XObject] = xobjects
    page.obj[pikepdf.Name.Resources] = resources
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ q " + str(name).encode() + b" Do Q\n"), prepend=False)


def _retitle(pdf: Any, title: str) -> None:
    """Set the title in the document info and in the XMP metadata, which PDF/A keeps equal."""
    import pikepdf

    xmp = pdf.Root.Metadata.read_bytes()
    marker = html.escape(TEMPLATE_TITLE).encode()
    if xmp.count(marker) == 1:
        pdf.Root.Metadata = pikepdf.Stream(pdf, xmp.replace(marker, html.escape(title).encode()))
        pdf.Root.Metadata.Type = pikepdf.Name.Metadata
        pdf.Root.Metadata.Subtype = pikepdf.Name.XML
    else:  # the metadata was written some other way: let pikepdf edit it
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = title
    pdf.docinfo.Title = title


# --- every batch, on every core, with a cache ---------------------------------------------


def _digest(*parts: str) -> str:
    import weasyprint

    digest = hashlib.sha256()
    for part in (RENDERER, __version__, weasyprint.__version__, PDF_VARIANT, *parts):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def output_key(batch: Batch, output: Output) -> str:
    """Return the cache key of one output: a hash of everything its bytes depend on."""
    return _digest(batch.head, batch.tail, repr((batch.forms, batch.tagged)), repr(output.meta), output.path,
                   *(s.text for s in batch.stylesheets), output.html)


def template_key(stamps: StampSet, variant: str) -> str:
    """Return the cache key of a template."""
    return _digest("template", stamps.head, stamps.tail, repr(stamps.forms), repr(stamps.meta),
                   *(s.text for s in stamps.stylesheets), stamps.templates[variant])


def fill_key(stamps: StampSet, fill: Fill) -> str:
    """Return the cache key of one stamped agreement."""
    return _digest("fill", template_key(stamps, fill.variant), repr(fill.texts), repr(fill.meta), fill.path)


def _chunks(items: Sequence[Any], workers: int, limit: int = MAX_CHUNK) -> list[list[Any]]:
    """Split `items` into equal lists of at most `limit`, as many as a multiple of `workers`."""
    if not items:
        return []
    if len(items) < 16:  # a document's start-up costs more than sharing a few between workers
        return [list(items)]
    count = workers * -(-len(items) // (workers * limit))
    size = -(-len(items) // count)
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def default_workers() -> int:
    """Return how many processes render PDFs: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _single_threaded() -> bool:
    """Return whether this process runs one thread, waiting a moment for threads about to end."""
    for _attempt in range(20):  # the threads of a pool just shut down linger for a few milliseconds
        try:
            if len(os.listdir("/proc/self/task")) == 1:
                return True
        except OSError:
            return False
        time.sleep(0.01)
    return False


def _context() -> Any:
    """Return the cheapest safe way to start workers: fork while this process has one thread."""
    single = _single_threaded()
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if single and "fork" in methods else "spawn")


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _worker_setup(parent: int) -> None:
    """Start a PDF worker: it ends when the build that started it ends, even one killed with SIGKILL.

    Otherwise a killed build leaves its workers blocked on a pipe for ever, holding memory and,
    through the lock they inherited at fork, the project's build lock (build.py lets go of it
    in every forked child).
    """
    for name in ("SIGTERM", "SIGHUP"):  # a fork inherits the build's handlers, which clean up the build
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:  # pragma: no cover - no parent-death signal: watch the parent instead
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the build died before the signal was armed
        os._exit(1)


class _Cache:
    """Files of earlier builds by the hash of their inputs, under `.handbook/cache/pdf`."""

    def __init__(self, folder: Optional[Path]) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def path(self, key: str, suffix: str = ".pdf") -> Optional[Path]:
        return self.folder / key[:2] / f"{key}{suffix}" if self.folder else None

    def get(self, key: str, suffix: str = ".pdf") -> Optional[bytes]:
        path = self.path(key, suffix)
        if path is None or not path.is_file():
            return None
        self.used.add(path.name)
        return path.read_bytes()

    def put(self, key: str, data: bytes, suffix: str = ".pdf") -> None:
        path = self.path(key, suffix)
        if path is None:
            return
        self.used.add(path.name)
        if path.is_file():
            return
        from handbook.commands.build import private_dir, write_private

        private_dir(path.parent)  # 0700, files 0600: the cache holds the groups' named agreements
        write_private(path, data)

    def keep(self, key: str, *suffixes: str) -> None:
        """Keep these entries through `prune` without reading them."""
        for suffix in suffixes:
            path = self.path(key, suffix)
            if path is not None:
                self.used.add(path.name)

    def prune(self) -> None:
        """Remove the entries this build did not use."""
        if self.folder is None or not self.folder.is_dir():
            return
        for old in self.folder.glob("*/*"):
            if old.name not in self.used:
                old.unlink(missing_ok=True)


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
        self.store = _Cache(cache)
        self.keys: dict[str, str] = {}
        self.reused = 0
        self.rendered = 0
        self.reports: list[BatchReport] = []
        self.futures: list[Future[Any]] = []
        self.lock = threading.Lock()
        self.templates_pending = 0  # templates whose stamping is not yet submitted
        self.pool: Optional[ProcessPoolExecutor] = None
        self.others: set[Optional[int]] = set()
        batches, stamp_work = self._plan()
        if batches or stamp_work:
            # Children this process had before: close() stops only the ones the pool adds.
            self.others = {p.pid for p in multiprocessing.active_children()}
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                            initializer=_worker_setup, initargs=(os.getpid(),))
            # Start every worker now, from this thread: later submissions come from other threads.
            self.pool.submit(os.getpid).result()
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
        assert self.pool is not None
        for part in _chunks(todo.fills, self.workers):
            subset = todo.subset(f.path for f in part)
            self._track(self.pool.submit(stamp_fills, subset, template, self.root, self.out_dir))

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
        unfinished = any(not f.done() for f in self.futures)
        processes = [p for p in multiprocessing.active_children() if p.pid not in self.others]
        pool.shutdown(wait=not unfinished, cancel_futures=True)
        if unfinished:  # abandoned: stop the workers rather than wait for them
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=5)


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
