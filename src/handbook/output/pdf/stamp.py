"""The groups' agreements: one template laid out once, each group's values stamped onto a copy.

A `StampSet` is made from one template per variant, laid out and written once with an empty box
(a slot) wherever a group's value goes. The values of all groups are laid out in one WeasyPrint
document of small overlay pages, each text at its slot's place and in its slot's style (set
smaller when it is too long for the box), and pikepdf stamps each group's overlay pages onto a
copy of the template and sets its title. Laying out eight pages of terms once instead of once
per group is what makes hundreds of agreements cheap; each file still depends only on its own
inputs.
"""

from __future__ import annotations

import html
import io
import json
import re
import traceback
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from handbook.errors import Problem
from handbook.output.pdf import weasy
from handbook.output.pdf.renderer import BatchReport, Renderer, guard
from handbook.render.printing import Fill, StampSet

MIN_SHRINK = 0.5  # a stamped text is set at least at half its size
TEMPLATE_TITLE = "handbook-template-title"  # replaced by each stamped file's title
_SLOT = re.compile(r'<span class="hb-slot" data-slot="([^"]+)">&nbsp;</span>')


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


def _slot_css(style: weasy.TextStyle) -> str:
    """Return CSS declarations that set text exactly as it is set in a slot of style `style`."""
    families = ", ".join('"' + f.replace('"', "") + '"' for f in style.families)
    spacing = "normal" if style.letter_spacing is None else _css_number(style.letter_spacing) + "px"
    declarations = [
        f"font-family: {families}", f"font-size: {_css_number(style.size)}px",
        f"font-weight: {style.weight}", f"font-style: {style.style}",
        f"font-stretch: {style.stretch}", "color: rgb({}, {}, {})".format(*style.rgb),
        f"letter-spacing: {spacing}", f"text-transform: {style.transform}", f"text-align: {style.align}",
        f"line-height: {_css_number(style.line_height)}px",
    ]
    return "; ".join(declarations)


def _find_slots(document: Any) -> list[SlotBox]:
    """Return every slot of a laid-out template, in page order."""
    return [SlotBox(name, box.page, box.x, box.y, box.width, box.height, _slot_css(box.text_style()))
            for box in weasy.placed(document, "inline-block") if (name := box.element.get("data-slot"))]


def render_template(stamps: StampSet, variant: str, root: Path) -> Template:
    """Lay out and write the template of `variant`; return it with its slots (never raises)."""
    try:
        renderer = Renderer(stamps, root, forms=stamps.forms, tagged=False)
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
    for box in weasy.placed(document, "block"):  # a part's section comes before its texts
        if box.element.get("id", "").startswith("hb-part-"):
            part = int(box.element.get("id")[8:])
        classes = box.element.get("class", "").split()
        if "hb-text" in classes:
            index = int(classes[1][1:])
            width = template.slots[index].width
            text = box.text_width()
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
        renderer = Renderer(stamps, root, forms=False, tagged=False, stylesheets=False)  # overlays have their own
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

    return guard(work)


def _render_full(stamps: StampSet, fill: Fill, root: Path, target: Path) -> tuple[int, list[Problem], list[str]]:
    """Lay out one fill's agreement in full, its values in place of the slots; return its pages, problems, notes."""
    texts = dict(fill.texts)
    body = _SLOT.sub(lambda m: html.escape(texts.get(m.group(1), "")), stamps.templates[fill.variant])
    renderer = Renderer(stamps, root, forms=stamps.forms, tagged=False)
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
