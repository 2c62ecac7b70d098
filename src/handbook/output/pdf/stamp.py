"""The groups' agreements: one tagged template laid out once, each group's values drawn into a copy.

A `StampSet` is made from one template per variant, laid out and written once (PDF/A-3a, tagged,
PDF/UA-1) with an empty box (a slot) wherever a group's value goes. The values of all groups
are laid out in one WeasyPrint document of overlay pages, one per group, each text at its
slot's place and in its slot's style (set smaller when it is too long for the box), and pikepdf
draws each group's texts into a copy of the template and sets its title and field names.

Why stamping stays, measured with benchmarks/agreements.py --pairs 300 on this project's
2-core machine with the 3-page signing set: a full tagged WeasyPrint layout per group
(`render_alone`, what `group_agreement_html` feeds) costs about 300-450 ms of CPU each, stamping
about 50 ms (overlay layout ~23, overlay write ~13, drawing into the template ~11) and runs on
every core; the terms are the same for every group, only the values differ. Each file still
depends only on its own inputs (its own overlay, its own font subsets), so the cache and
byte-identical rebuilds hold.

Where a value goes, so that it reads as it would in a full layout:
- Before the template is laid out, each slot's no-break space becomes a 1x1 marker image
  whose alt text names the slot (the layout is the same: the slot box has its own width, and
  the line its strut). Tagging turns each marker into a /Figure with that alt text, which
  finds the slot's place in the structure tree and in the page's content stream.
  `_prepare_template` turns it into an empty /Span whose marked content draws a form XObject
  named after the slot (`/HbSlotN`), undoing the page's transformation there, and moves that
  marked content to just after the content before it in the structure tree, its label
  (WeasyPrint paints inline blocks after the text around them).
- For each group, its overlay page's content is cut into its texts (each an absolutely
  positioned box, one `q ... Q` block of the overlay's stacking context) and each text becomes
  the `/HbSlotN` of a copy of the template: the value is drawn at its label in content order
  (`pdftotext -raw` reads label then value) and belongs to the slot's /Span in the structure.
  A slot repeated in the same place on every page (a running header) is laid out once.
- The overlay's font subsets are renamed after their own glyph programs, so no two different
  programs in a file share a subset tag (ISO 32000-1 9.6.4); WeasyPrint names a subset after
  the whole font file.
- Form fields are named `<group id>-<field>`, so that merging two agreements links no fields.

A template whose slots cannot all be found that way (a coordinator's template that moves
slots to pages of another size, say) has every agreement laid out in full instead.
"""

from __future__ import annotations

import hashlib
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
_MARK = "hb-slot-"  # the alt text of a slot's marker image, followed by the slot's number in the HTML
_MARK_IMAGE = ('<img alt="' + _MARK + '{number}" style="display: inline; width: 1px; height: 1px; margin: 0; '
               'padding: 0; border: 0; vertical-align: baseline" src="data:image/gif;base64,'
               'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7">')


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
    mark: str = ""  # the alt text of its marker image in the template


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
    return [SlotBox(name, box.page, box.x, box.y, box.width, box.height, _slot_css(box.text_style()),
                    next((child.get("alt") or "" for child in box.element), ""))
            for box in weasy.placed(document, "inline-block") if (name := box.element.get("data-slot"))]


def _marked(body: str) -> str:
    """Return a template's body with a numbered marker image in each slot instead of its no-break space."""
    numbers = iter(range(len(body)))
    return _SLOT.sub(lambda m: m.group(0).replace("&nbsp;", _MARK_IMAGE.format(number=next(numbers))), body)


def render_template(stamps: StampSet, variant: str, root: Path) -> Template:
    """Lay out and write the template of `variant`; return it with its slots (never raises)."""
    try:
        renderer = Renderer(stamps, root, forms=stamps.forms)
        if renderer.problems:
            return Template(variant, b"", 0, 0, (), tuple(renderer.problems), notes=tuple(renderer.notes))
        document, _starts = renderer.layout([_marked(stamps.templates[variant])])
        slots = _find_slots(document)
        data = renderer.write(document, list(document.pages), replace(stamps.meta, title=TEMPLATE_TITLE))
        page = document.pages[0]
        sizes = {(round(document.pages[s.page].width, 2), round(document.pages[s.page].height, 2)) for s in slots}
        if len(sizes | {(round(page.width, 2), round(page.height, 2))}) > 1:
            slots = []  # pages of several sizes: every agreement is laid out in full instead
        elif slots:
            prepared = _prepare_template(data, slots)
            data, slots = (prepared, slots) if prepared is not None else (data, [])
        return Template(variant, data, page.width, page.height, tuple(slots), tuple(renderer.problems),
                        stampable=bool(slots) or not _SLOT.search(stamps.templates[variant]),
                        notes=tuple(renderer.notes))
    except Exception as exc:
        return Template(variant, b"", 0, 0, (), (), f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")


def _repeats(template: Template) -> dict[int, list[int]]:
    """Return the slots that print the same value in the same place and style, by the first of them.

    A running header repeats its slots on every page: their value is laid out once.
    """
    first: dict[tuple[Any, ...], int] = {}
    repeats: dict[int, list[int]] = {}
    for index, slot in enumerate(template.slots):
        key = (slot.name, slot.x, slot.y, slot.width, slot.height, slot.css)
        repeats.setdefault(first.setdefault(key, index), []).append(index)
    return repeats


def _overlay_pages(template: Template, texts: dict[str, str], scale: dict[str, float]) -> list[tuple[str, list[int]]]:
    """Return the overlay of one fill: one page with each of its texts at its slot's place, and their slots.

    Every text is cut out of the page on its own (see `_texts_of`), so the texts of all the
    template's pages share one overlay page, and a slot repeated in the same place on several
    pages is laid out once (`_repeats`). The class of a text is the index of its slot. The slots
    are listed in the order their texts are in the page (empty texts are left out).
    """
    items, drawn = [], []
    for index in _repeats(template):
        slot = template.slots[index]
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
        drawn.append(index)
    return [(f'<div class="hb-overlay">{"".join(items)}</div>', drawn)]


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
        renderer = Renderer(stamps, root, forms=False, stylesheets=False)  # overlays have their own
        fills = list(stamps.fills)
        texts = [dict(f.texts) for f in fills]
        scales: list[dict[str, float]] = [{} for _ in fills]
        overlay_css = _overlay_css(template)
        drawn: dict[int, list[list[int]]] = {}  # each fill's slots drawn on each of its overlay pages
        repeats = _repeats(template)

        def lay_out(indexes: list[int]) -> tuple[Any, dict[int, list[int]], dict[int, int]]:
            """Lay out the overlays of `indexes`; return the document, each fill's pages, each part's fill."""
            bodies: list[str] = []
            owners: dict[int, list[int]] = {}
            part_of: dict[int, int] = {}
            for i in indexes:
                pages = _overlay_pages(template, texts[i], scales[i])
                owners[i] = list(range(len(bodies), len(bodies) + len(pages)))
                part_of.update({n: i for n in owners[i]})
                bodies += [body for body, _drawn in pages]
                drawn[i] = [slots for _body, slots in pages]
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
            stamped = _stamp(template.pdf, overlay, drawn[i], repeats, fill, target)
            if stamped is None:  # its texts could not be cut apart: lay it out in full
                stamped, found, noted = _render_full(stamps, fill, root, target)
                renderer.problems += found
                renderer.notes += [n for n in noted if n not in renderer.notes]
            pages[fill.path] = stamped
        return BatchReport(pages, tuple(renderer.problems), notes=tuple(renderer.notes))

    return guard(work)


def _render_full(stamps: StampSet, fill: Fill, root: Path, target: Path) -> tuple[int, list[Problem], list[str]]:
    """Lay out one fill's agreement in full, its values in place of the slots; return its pages, problems, notes."""
    import pikepdf

    texts = dict(fill.texts)
    body = _SLOT.sub(lambda m: html.escape(texts.get(m.group(1), "")), stamps.templates[fill.variant])
    renderer = Renderer(stamps, root, forms=stamps.forms)
    document, _starts = renderer.layout([body])
    data = renderer.write(document, list(document.pages), fill.meta)
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        _own_fields(pdf, _group_of(fill))
        _save(pdf, target)
    return len(document.pages), renderer.problems, renderer.notes


def _group_of(fill: Fill) -> str:
    """Return the id of a fill's group: the name of its file (`agreements/<group id>.pdf`)."""
    return Path(fill.path).stem


# --- the template, prepared once -------------------------------------------------------------

_SLOT_XOBJECT = "/HbSlot"  # + the slot's index: the form XObject a group's value is drawn from


def _multiply(first: tuple[float, ...], second: tuple[float, ...]) -> tuple[float, ...]:
    """Return the matrix `first` then `second` (PDF's `first second` concatenation)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = second
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _inverse(matrix: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = matrix
    det = a * d - b * c
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _reading_order(pdf: Any) -> dict[tuple[int, int], list[int]]:
    """Return the marked-content ids of each page in the order of the structure tree, by the page's object id."""
    import pikepdf

    order: dict[tuple[int, int], list[int]] = {}
    seen: set[tuple[int, int]] = set()

    def visit(element: Any, page: Any) -> None:
        if isinstance(element, int):
            if page is not None:
                order.setdefault(page.objgen, []).append(element)
            return
        if isinstance(element, pikepdf.Array):
            for kid in element:
                visit(kid, page)
            return
        if not isinstance(element, pikepdf.Dictionary):
            return
        if element.is_indirect:
            if element.objgen in seen:
                return
            seen.add(element.objgen)
        page = element.get("/Pg", page)
        if element.get("/Type") == "/MCR":
            visit(int(element.MCID), page)
        elif "/K" in element:
            visit(element.K, page)

    visit(pdf.Root.StructTreeRoot.get("/K"), None)
    return order


def _prepare_template(data: bytes, slots: list[SlotBox]) -> bytes | None:
    """Return the template with each slot's marker replaced by an empty /Span that draws `/HbSlotN`.

    The /Span's marked content moves to just after the content that precedes it in the
    structure tree (the slot's label), so that the content stream reads label then value;
    WeasyPrint paints inline blocks after the text around them. None when a slot's marker is
    missing from the structure tree or the content (the agreements are then laid out in full).
    """
    import pikepdf

    by_mark = {(slot.page, slot.mark): index for index, slot in enumerate(slots)}
    found: set[int] = set()
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        parents = pdf.Root.StructTreeRoot.ParentTree.Nums
        by_key = {int(parents[i]): parents[i + 1] for i in range(0, len(parents), 2)}
        reading = _reading_order(pdf)
        empty = pdf.make_indirect(pikepdf.Stream(pdf, b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                                 BBox=pikepdf.Array([0, 0, 0, 0])))
        for number, page in enumerate(pdf.pages):
            elements = by_key.get(int(page.obj.get("/StructParents", -1)))
            marks: dict[int, int] = {}  # MCID -> slot index
            for mcid, element in enumerate(elements if isinstance(elements, pikepdf.Array) else ()):
                alt = str(element.get("/Alt", "")) if isinstance(element, pikepdf.Dictionary) else ""
                if element.get("/S") == "/Figure" and alt.startswith(_MARK) and (number, alt) in by_mark:
                    marks[mcid] = by_mark[(number, alt)]
                    element.S = pikepdf.Name.Span  # the value's element, next to its label
                    for key in ("/Alt", "/A"):
                        if key in element:
                            del element[key]
            if not marks:
                continue
            # Each marker follows the nearest content before it in reading order that is no marker
            # (-1: the page's start); a marker outside the tree (a page header) stays where it is.
            after: dict[int, list[int]] = {}
            anchor = -1
            order = reading.get(page.obj.objgen, [])
            for mcid in order:
                if mcid in marks:
                    after.setdefault(anchor, []).append(mcid)
                else:
                    anchor = mcid
            moved = {mcid for group in after.values() for mcid in group}
            resources = page.obj.Resources

            def value(mcid: int, matrix: tuple[float, ...], marks: dict[int, int] = marks,
                      resources: Any = resources) -> list[tuple[list[Any], Any]]:
                """Return the operators that draw the value of marker `mcid` where the transformation is `matrix`."""
                index = marks[mcid]
                found.add(index)
                name = pikepdf.Name(f"{_SLOT_XOBJECT}{index}")
                resources.XObject[name] = empty
                return [([pikepdf.Name.Span, pikepdf.Dictionary(MCID=mcid)], pikepdf.Operator("BDC")),
                        ([], pikepdf.Operator("q")), ([*_inverse(matrix)], pikepdf.Operator("cm")),
                        ([name], pikepdf.Operator("Do")), ([], pikepdf.Operator("Q")), ([], pikepdf.Operator("EMC"))]

            out: list[tuple[list[Any], Any]] = []
            for mcid in after.get(-1, []):
                out += value(mcid, _IDENTITY)
            markers: set[str] = set()
            matrix, stack = _IDENTITY, []
            open_marks: list[int] = []  # the MCID (or -1) of each open marked-content sequence
            pending: list[int] = []  # markers waiting for the end of a text object
            in_text = skipping = False
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    properties = operands[1] if op == "BDC" and len(operands) > 1 else None
                    mcid = int(properties.get("/MCID", -1)) if isinstance(properties, pikepdf.Dictionary) else -1
                    open_marks.append(mcid)
                    if mcid in marks:
                        while out and str(out[-1][1]) in ("re", "W", "W*", "n"):
                            out.pop()  # the marker image's clip
                        skipping = True
                        if mcid not in moved:  # drawn here, where it is
                            out += value(mcid, matrix)
                        continue
                elif op == "EMC" and open_marks:
                    mcid = open_marks.pop()
                    if mcid in marks:
                        skipping = False
                        continue
                    if mcid in after:
                        pending += after[mcid]
                if skipping:
                    if op == "Do":
                        markers.add(str(operands[0]))
                    continue
                if op == "q":
                    stack.append(matrix)
                elif op == "Q" and stack:
                    matrix = stack.pop()
                elif op == "cm":
                    matrix = _multiply(tuple(float(v) for v in operands), matrix)
                elif op == "BT":
                    in_text = True
                elif op == "ET":
                    in_text = False
                out.append((operands, operator))
                if pending and not in_text:
                    for mcid in pending:
                        out += value(mcid, matrix)
                    pending = []
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
            for marker in markers:  # the marker image, drawn nowhere else
                if marker in resources.XObject:
                    del resources.XObject[marker]
        if len(found) != len(slots):
            return None
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()


# --- each group's copy -----------------------------------------------------------------------


def _texts_of(page: Any) -> list[list[tuple[tuple[float, ...], list[Any]]]]:
    """Cut an overlay page's content into its texts: for each depth, each text's matrix and operators.

    Each text is an absolutely positioned box: a `q ... Q` block of its own (its stacking
    context) that sets its colour and font itself. The texts are the text-drawing blocks of the
    shallowest depth at which there are as many as needed: the caller compares the count.
    """
    import pikepdf

    operations = list(pikepdf.parse_content_stream(page))
    blocks: list[tuple[int, int, int, tuple[float, ...]]] = []  # (depth, first, last, matrix before)
    opened: list[tuple[int, tuple[float, ...]]] = []
    texts: set[int] = set()  # indexes of blocks that draw text
    matrix, stack = _IDENTITY, []
    for position, (operands, operator) in enumerate(operations):
        op = str(operator)
        if op == "q":
            opened.append((position, matrix))
            stack.append(matrix)
        elif op == "Q" and stack:
            first, before = opened.pop()
            blocks.append((len(opened), first, position, before))
            matrix = stack.pop()
        elif op == "cm":
            matrix = _multiply(tuple(float(v) for v in operands), matrix)
        elif op == "BT":
            texts.update(first for first, _ in opened)
    by_depth: dict[int, list[tuple[int, int, tuple[float, ...]]]] = {}
    for depth, first, last, before in sorted(blocks, key=lambda b: b[1]):
        if first in texts:
            by_depth.setdefault(depth, []).append((first, last, before))
    return [[(before, operations[first:last + 1]) for first, last, before in by_depth[depth]]
            for depth in sorted(by_depth)]


def _stamp(template: bytes, overlay: bytes, drawn: list[list[int]], repeats: dict[int, list[int]], fill: Fill,
           target: Path) -> int | None:
    """Write `target`: the template with each of the fill's texts drawn at its slots; return its pages.

    `drawn` lists, for each overlay page, the slots its texts belong to, in order; a text is
    drawn at each of its slot's `repeats`. None when a
    page's texts cannot be cut apart (nothing is written).
    """
    import pikepdf

    with pikepdf.Pdf.open(io.BytesIO(template)) as pdf, pikepdf.Pdf.open(io.BytesIO(overlay)) as over:
        _rename_subsets(over)
        xobjects = pdf.pages[0].obj.Resources.XObject  # WeasyPrint's pages share one resource dictionary
        for overlay_page, slots in zip(over.pages, drawn):
            if not slots:
                continue
            texts = next((level for level in _texts_of(overlay_page) if len(level) == len(slots)), None)
            if texts is None:
                return None
            box = pikepdf.Array([float(v) for v in overlay_page.obj.MediaBox])
            resources = pdf.copy_foreign(overlay_page.obj.Resources)
            for index, (matrix, operations) in zip(slots, texts):
                content = pikepdf.unparse_content_stream([([*matrix], pikepdf.Operator("cm")), *operations])
                form = pdf.make_stream(content, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                       BBox=box, Resources=resources)
                for repeat in repeats[index]:
                    xobjects[pikepdf.Name(f"{_SLOT_XOBJECT}{repeat}")] = form
        _own_fields(pdf, _group_of(fill))
        _retitle(pdf, fill.meta.title)
        _save(pdf, target)
        return len(pdf.pages)


def _save(pdf: Any, target: Path) -> None:
    """Write `pdf` to `target`, the same bytes for the same document."""
    import pikepdf

    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    target.write_bytes(buffer.getvalue())


def _rename_subsets(pdf: Any) -> None:
    """Name each embedded font subset after its own glyph program (`ABCDEF+Name`, ISO 32000-1 9.6.4).

    WeasyPrint names a subset after the whole font file, so the template's subset and an
    overlay's subset of the same font, two different programs, would share a name in one file.
    """
    import pikepdf

    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for _name, font in fonts.items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            described = [font] + list(font.get("/DescendantFonts", []))
            descriptor = next((f.FontDescriptor for f in described if "/FontDescriptor" in f), None)
            program = next((descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile")
                            if descriptor is not None and k in descriptor), None)
            if program is None:
                continue
            digest = hashlib.sha256(program.read_raw_bytes()).digest()
            tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
            for item in described:
                if "/BaseFont" in item:
                    item.BaseFont = pikepdf.Name("/" + tag + "+" + str(item.BaseFont)[1:].split("+", 1)[-1])
            descriptor.FontName = pikepdf.Name("/" + tag + "+" + str(descriptor.FontName)[1:].split("+", 1)[-1])


def _own_fields(pdf: Any, group: str) -> None:
    """Name every form field `<group>-<name>`: fields of two merged agreements stay apart."""
    form = pdf.Root.get("/AcroForm")
    for field in form.get("/Fields", []) if form is not None else []:
        if "/T" in field:
            field.T = f"{group}-{field.T}"


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
