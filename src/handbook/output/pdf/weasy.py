"""The one door to WeasyPrint and pydyf: every call the PDF adapter makes to them.

The other modules of this package hand over strings, paths and plain values and get back
documents, pages and bytes; none imports weasyprint or pydyf. WeasyPrint is imported inside
functions, so importing this module costs nothing until a PDF is made.

Everything here uses WeasyPrint's public API (`HTML`, `CSS`, `Document`, `Page`,
`DocumentMetadata`, `FontConfiguration`, `URLFetcher`, the `finisher` of `write_pdf`) except
the section "WeasyPrint's private parts" at the end: the boxes of a laid-out page (where a slot
of an agreement is and how its text looks), the user-agent stylesheet of overlays, and the names
of CSS properties. tests/test_weasyprint_hooks.py checks each against the installed WeasyPrint,
and pyproject.toml pins the major version they were written for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

from handbook.errors import EngineError
from handbook.plan.returns import READ_ONLY
from handbook.render.printing import Meta

LOGGER = "weasyprint"  # the logger WeasyPrint reports warnings and errors to


def version() -> str:
    """Return the installed WeasyPrint's version (part of every cache key: a new one lays out anew)."""
    import weasyprint

    return weasyprint.__version__


def font_config() -> Any:
    """Return a font configuration: one per document and its stylesheets, for their @font-face rules."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def url_fetcher(resolve: Callable[[str], Optional[Path]]) -> Any:
    """Return a URL fetcher that serves the file `resolve(url)` names.

    `resolve` raises ValueError to refuse a URL, and returns None for a URL WeasyPrint decodes
    itself (a `data:` URL). WeasyPrint turns a refusal into a logged error naming the URL.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = resolve(url)
            if path is None:
                return super().fetch(url, headers)
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return Fetcher()


def stylesheet(text: str, *, base_url: str, fetcher: Any, fonts: Any) -> Any:
    """Return the stylesheet `text`, its URLs read through `fetcher` (parsing may log problems)."""
    from weasyprint import CSS

    return CSS(string=text, base_url=base_url, url_fetcher=fetcher, font_config=fonts)


def lay_out(html: str, *, base_url: str, fetcher: Any, stylesheets: Sequence[Any], fonts: Any, forms: bool,
            variant: Optional[str], tags: bool, lean: bool = False) -> Any:
    """Lay out `html` with `stylesheets`; return the Document (its `pages` have width, height, anchors).

    `lean`: a user-agent stylesheet of two rules instead of HTML's, for documents of positioned
    texts that use no HTML styling (see `_lean_html`).
    """
    from weasyprint import HTML

    kind = _lean_html() if lean else HTML
    return kind(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=list(stylesheets), font_config=fonts, pdf_forms=forms, pdf_variant=variant, pdf_tags=tags)


def write(document: Any, pages: Sequence[Any], meta: Optional[Meta] = None, *, generator: str,
          variant: Optional[str], forms: bool, tags: bool, outline_from: int = 0) -> bytes:
    """Return `pages` of the laid-out `document` as a PDF of their own, written by WeasyPrint.

    Each file keeps what WeasyPrint writes: form fields, PDF/A metadata, tags, bookmarks. A tagged
    file also claims PDF/UA-1 in its XMP metadata, its table header cells get a /Scope, and a file
    of `outline_from` pages or more (0: never) opens with its bookmarks shown. Every annotation's
    rectangle is normalised; with `forms`, every field gets an appearance (see `_finish_forms`).
    """
    copy = document.copy(list(pages))
    if meta is not None:  # the creation date is also the modification date
        copy.metadata = _metadata_class(ua=tags)(
            title=meta.title, authors=[meta.author], description=meta.subject, keywords=list(meta.keywords),
            generator=generator, created=meta.created, modified=meta.created, lang=meta.language)

    def finish(finished: Any, pdf: Any) -> None:
        _normalise_rectangles(pdf)
        if forms:
            _finish_forms(finished, pdf)
        if tags:
            _scope_headers(finished)
        if outline_from and len(finished.pages) >= outline_from and finished.make_bookmark_tree():
            pdf.catalog["PageMode"] = "/UseOutlines"

    return copy.write_pdf(pdf_variant=variant, pdf_forms=forms, pdf_tags=tags, finisher=finish)


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PDFA_EXTENSION = {"pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
                   "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
                   "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}
_PDFUA_ID = "http://www.aiim.org/pdfua/ns/id/"


def _claim_pdfua(rdf_xml: bytes) -> bytes:
    """Return WeasyPrint's XMP `rdf:RDF` with `pdfuaid:part` 1 and the PDF/A extension schema that declares it.

    PDF/A allows XMP properties outside its predefined schemas only with such a declaration.
    """
    from xml.etree import ElementTree

    SubElement = ElementTree.SubElement  # noqa: N806 (ElementTree's own name)
    for prefix, uri in _PDFA_EXTENSION.items():
        ElementTree.register_namespace(prefix, uri)
    rdf = ElementTree.fromstring(rdf_xml)
    first = rdf.find(f"{{{_RDF}}}Description")
    if first is None:
        return rdf_xml
    first.set(f"{{{_PDFUA_ID}}}part", "1")
    extension, schema, prop = (f"{{{uri}}}" for uri in _PDFA_EXTENSION.values())
    resource = {f"{{{_RDF}}}parseType": "Resource"}
    described = SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
    entry = SubElement(SubElement(SubElement(described, f"{extension}schemas"), f"{{{_RDF}}}Bag"), f"{{{_RDF}}}li",
                       resource)
    for name, text in (("schema", "PDF/UA Universal Accessibility Schema"), ("namespaceURI", _PDFUA_ID),
                       ("prefix", "pdfuaid")):
        SubElement(entry, f"{schema}{name}").text = text
    part = SubElement(SubElement(SubElement(entry, f"{schema}property"), f"{{{_RDF}}}Seq"), f"{{{_RDF}}}li", resource)
    for name, text in (("name", "part"), ("valueType", "Integer"), ("category", "internal"),
                       ("description", "Indicates, which part of ISO 14289 standard is followed")):
        SubElement(part, f"{prop}{name}").text = text
    return ElementTree.tostring(rdf, encoding="utf-8")


def _metadata_class(*, ua: bool) -> type:
    """Return WeasyPrint's DocumentMetadata, or one that also claims PDF/UA-1 (`pdfuaid:part` 1) with `ua`.

    WeasyPrint claims one standard per file; PDF/A-3a (tagged, archival) plus the PDF/UA
    identification in the same XMP packet is what an accessible archival file declares.
    """
    from weasyprint.document import DocumentMetadata

    if not ua:
        return DocumentMetadata

    class AccessibleMetadata(DocumentMetadata):
        def generate_rdf_metadata(self, variant: str, version: Any, conformance: Any) -> bytes:
            return _claim_pdfua(super().generate_rdf_metadata(variant, version, conformance))

    return AccessibleMetadata


def _normalise_rectangles(pdf: Any) -> None:
    """Write every annotation's /Rect as (left, bottom, right, top), as ISO 32000-1 12.5.2 expects."""
    import pydyf

    for item in pdf.objects:
        if isinstance(item, dict) and item.get("Type") == "/Annot" and "Rect" in item:
            left, bottom, right, top = (float(v) for v in item["Rect"])
            item["Rect"] = pydyf.Array((min(left, right), min(bottom, top), max(left, right), max(bottom, top)))


def _finish_forms(document: Any, pdf: Any) -> None:
    """Make form fields PDF/A-friendly: an appearance for every widget, no NeedAppearances flag; radio groups whole."""
    import pydyf

    form = pdf.catalog.get("AcroForm")
    if form is None:
        return
    form.pop("NeedAppearances", None)
    kids = set()
    for item in pdf.objects:
        if isinstance(item, dict) and item.get("Subtype") == "/Widget" and "Parent" in item:
            # WeasyPrint 70 names a radio button's widgets like their group and lists them as
            # fields too: a widget of a radio group is no field of its own (its /TU names the choice).
            item.pop("T", None)
            item.pop("V", None)
            kids.add(item.reference)
    if kids:
        form["Fields"] = pydyf.Array(reference for reference in form["Fields"] if reference not in kids)
    for item in pdf.objects:  # a returned form's id and fingerprint: read back by `handbook collect`, not to be edited
        if isinstance(item, dict) and getattr(item.get("T"), "string", None) in READ_ONLY:
            item["Ff"] = int(item.get("Ff", 0)) | 1
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


# --- WeasyPrint's private parts ------------------------------------------------------------
#
# WeasyPrint has no public API for these. They are reached here only; when a WeasyPrint
# release changes them, a build says so in one sentence (`_changed`) instead of failing
# somewhere inside, and tests/test_weasyprint_hooks.py fails first, naming the hook.
#
# - `Page._page_box`: the box tree of a laid-out page. A page's public `anchors` give the
#   rectangle of an element with an id, but not the font, size and colour its text is set in,
#   and a slot needs both. Walked with `Box.descendants()`; an absolutely positioned box sits
#   in an `AbsolutePlaceholder`, reached through its `_box`.
# - The box classes of `weasyprint.formatting_structure.boxes`, compared exactly (not with
#   isinstance: a table caption is a kind of BlockBox, and no slot or text of ours).
# - `HTML._ua_stylesheets`: the user-agent stylesheets of a document. Overlays replace them with
#   a lean one: the full HTML stylesheet costs a third of their layout. Without the hook the
#   full one is used, only slower.
# - `box.mark`: the structure element WeasyPrint's tagging (`pdf/tags.py`) gives each table
#   cell box while it writes the file, read in the finisher to add the /Scope that PDF/UA wants
#   on a header cell (WeasyPrint links data cells to headers with /Headers only).
# - `weasyprint.css.properties.KNOWN_PROPERTIES` and `css.validation.expanders.EXPANDERS`: the
#   names of the CSS properties WeasyPrint knows, for "did you mean" after a misspelt one.


def _changed(what: str) -> EngineError:
    return EngineError(f"WeasyPrint {version()} has changed {what}, which handbook relies on",
                       hint="install the WeasyPrint version pyproject.toml names (weasyprint>=70,<71), "
                            "or report this so that handbook/output/pdf/weasy.py is updated")


def _box_classes() -> dict[str, type]:
    """Return WeasyPrint's box classes by the kind of box they are."""
    try:
        from weasyprint.formatting_structure import boxes

        return {"block": boxes.BlockBox, "inline-block": boxes.InlineBlockBox, "line": boxes.LineBox}
    except (ImportError, AttributeError) as exc:
        raise _changed(f"its box classes ({exc})") from exc


def _boxes_of(page: Any) -> Iterator[Any]:
    """Yield every box of a laid-out page in document order, absolutely positioned ones unwrapped."""
    try:
        descendants = page._page_box.descendants
    except AttributeError as exc:
        raise _changed(f"the boxes of a laid-out page ({exc})") from exc
    for found in descendants():
        yield getattr(found, "_box", found)  # an AbsolutePlaceholder holds the box it stands for


@dataclass(frozen=True)
class TextStyle:
    """How text is set in a box: its computed font, colour, spacing and line height."""

    families: tuple[str, ...]
    size: float  # CSS px
    weight: int | str
    style: str
    stretch: str
    rgb: tuple[int, int, int]
    letter_spacing: Optional[float]  # CSS px; None for `normal`
    transform: str
    align: str
    line_height: float  # the height of its first line, or of the box when it has no line


class Placed:
    """A box of an element on a page of a laid-out document, in CSS pixels from the page's top-left."""

    __slots__ = ("page", "element", "_box")

    def __init__(self, page: int, element: Any, box: Any) -> None:
        self.page = page
        self.element = element  # the HTML element: `.get(attribute)` reads its attributes
        self._box = box

    @property
    def x(self) -> float:
        return self._box.content_box_x()

    @property
    def y(self) -> float:
        return self._box.content_box_y()

    @property
    def width(self) -> float:
        return self._box.width

    @property
    def height(self) -> float:
        return self._box.height

    def text_width(self) -> float:
        """Return the width of the text set in the box, on its lines, however wide the box is."""
        return float(sum(child.width for line in self._box.children for child in getattr(line, "children", ())))

    def text_style(self) -> TextStyle:
        style = self._box.style
        line_class = _box_classes()["line"]
        line = next((c for c in self._box.children if type(c) is line_class), None)
        spacing = style["letter_spacing"]
        red, green, blue = (round(c * 255) for c in style["color"].to("srgb").coordinates)
        return TextStyle(
            families=tuple(style["font_family"]), size=float(style["font_size"]), weight=style["font_weight"],
            style=style["font_style"], stretch=style["font_stretch"], rgb=(red, green, blue),
            letter_spacing=None if spacing == "normal" else float(spacing), transform=style["text_transform"],
            align=style["text_align_all"], line_height=float(line.height if line is not None else self._box.height))


def placed(document: Any, kind: str) -> Iterator[Placed]:
    """Yield the boxes of `kind` ("block" or "inline-block") that belong to an element, page by page."""
    wanted = _box_classes()[kind]
    for number, page in enumerate(document.pages):
        for box in _boxes_of(page):
            element = getattr(box, "element", None)
            if element is not None and type(box) is wanted:
                yield Placed(number, element, box)


def _scope_headers(document: Any) -> None:
    """Give every table header cell (/TH) of a file being written its /Scope: /Row for `scope="row"`, else /Column.

    Runs in the finisher, after WeasyPrint's tagging set `mark` on the cell boxes of these pages.
    """
    for page in document.pages:
        for box in _boxes_of(page):
            mark = getattr(box, "mark", None)
            if mark is None or getattr(box, "element_tag", None) != "th":
                continue
            try:
                attributes = mark["A"]
            except (KeyError, TypeError) as exc:
                raise _changed(f"the structure of table cells ({exc})") from exc
            scope = (box.element.get("scope") or "").lower()
            attributes["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"


_LEAN_HTML: Any = None


def _lean_html() -> Any:
    """Return an HTML class whose user-agent stylesheet is two rules (HTML's own where WeasyPrint lacks the hook)."""
    global _LEAN_HTML
    if _LEAN_HTML is None:
        from weasyprint import CSS, HTML

        if not callable(getattr(HTML, "_ua_stylesheets", None)):
            _LEAN_HTML = HTML
        else:
            lean = CSS(string="html, body, section, div { display: block } "
                              "head, style, title, meta, script { display: none }")

            class LeanHTML(HTML):
                def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
                    return [lean]

            _LEAN_HTML = LeanHTML
    return _LEAN_HTML


def css_property_names() -> set[str]:
    """Return the names of the CSS properties WeasyPrint knows, shorthands included."""
    try:
        from weasyprint.css.properties import KNOWN_PROPERTIES
        from weasyprint.css.validation.expanders import EXPANDERS
    except ImportError as exc:
        raise _changed(f"where it lists CSS properties ({exc})") from exc
    return set(KNOWN_PROPERTIES) | set(EXPANDERS)
