"""The private parts of WeasyPrint that handbook/output/pdf/weasy.py reaches into still exist and behave.

WeasyPrint offers no public API for a box's geometry and computed style, for replacing the
user-agent stylesheet, or for the names of CSS properties. A WeasyPrint release that changes
one of them fails here first, with the hook named, rather than as a misplaced name on a signed
agreement. pyproject.toml pins the major version these were checked with.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from handbook.output.pdf import weasy

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
SLOT = ('<p style="font: italic bold 12px serif; letter-spacing: 1px; color: rgb(10, 20, 30)">Name: '
        '<span id="where" data-slot="name" style="display: inline-block; width: 100px">&nbsp;</span></p>')
CHANGED = "WeasyPrint {} changed {}: update src/handbook/output/pdf/weasy.py (see its 'private parts')"


def lay_out(html: str, *, lean: bool = False) -> object:
    fonts = weasy.font_config()
    return weasy.lay_out(f"<html><body>{html}</body></html>", base_url="file:///", fetcher=None,
                         stylesheets=[], fonts=fonts, forms=False, variant=None, tags=False, lean=lean)


def changed(what: str) -> str:
    return CHANGED.format(weasy.version(), what)


def test_the_installed_weasyprint_is_the_major_version_pyproject_pins() -> None:
    pinned = re.search(r'"weasyprint>=(\d+),<(\d+)"', PYPROJECT.read_text(encoding="utf-8"))
    assert pinned, "pyproject.toml no longer pins weasyprint to one major version"
    major = int(weasy.version().split(".")[0])
    assert int(pinned.group(1)) <= major < int(pinned.group(2)), (
        f"WeasyPrint {weasy.version()} is installed, pyproject.toml pins {pinned.group(0)}: "
        "run this file's tests with it, then move the pin")


def test_a_slot_is_found_where_the_page_anchors_put_it_with_its_text_style() -> None:
    document = lay_out(SLOT)
    found = list(weasy.placed(document, "inline-block"))
    assert [(b.page, b.element.get("data-slot")) for b in found] == [(0, "name")], changed("the box tree of a page")
    slot = found[0]
    # The public anchors give the same rectangle (the slot has no padding or border).
    rectangle = (slot.x, slot.y, slot.x + slot.width, slot.y + slot.height)
    assert rectangle == pytest.approx(document.pages[0].anchors["where"]), changed("where a box is and its size")
    assert slot.width == pytest.approx(100) and slot.height > 0, changed("the size of a box")
    style = slot.text_style()
    assert (style.size, style.weight, style.style, style.rgb) == (12, 700, "italic", (10, 20, 30)), (
        changed("the computed style of a box"))
    assert style.families == ("serif",) and style.letter_spacing == pytest.approx(1), changed("computed fonts")
    assert style.line_height > 0, changed("line boxes")


def test_an_absolutely_positioned_text_is_found_and_measured() -> None:
    short, long = (lay_out(f'<div style="position: relative"><div class="t" style="position: absolute; '
                           f'white-space: nowrap; width: 10px">{text}</div></div>') for text in ("ab", "ab" * 20))
    widths = []
    for document in (short, long):
        texts = [b for b in weasy.placed(document, "block") if b.element.get("class") == "t"]
        assert len(texts) == 1, changed("how an absolutely positioned box sits in the tree (AbsolutePlaceholder)")
        widths.append(texts[0].text_width())
    assert 10 < widths[0] < widths[1], changed("the boxes of a line of text")


def test_box_kinds_are_matched_exactly() -> None:
    document = lay_out('<table><caption>c</caption><tr><td>x</td></tr></table><div id="d">d</div>')
    blocks = [b.element.tag for b in weasy.placed(document, "block")]
    assert "div" in blocks and "caption" not in blocks, changed("its box classes")


def test_the_lean_user_agent_stylesheet_replaces_the_html_one() -> None:
    lefts = []
    for lean in (False, True):  # HTML's stylesheet gives the page and the body margins, the lean one none
        found = [b for b in weasy.placed(lay_out('<div id="d">text</div>', lean=lean), "block")
                 if b.element.get("id") == "d"]
        lefts.append(found[0].x)
    assert lefts[0] >= 8 and lefts[1] == 0, changed("HTML._ua_stylesheets (the user-agent stylesheet of a document)")


def test_the_css_property_names_include_longhands_and_shorthands() -> None:
    names = weasy.css_property_names()
    assert {"color", "font-size", "letter-spacing", "margin", "font", "border"} <= names, (
        changed("where it lists CSS properties"))
    assert "colr" not in names


def test_a_missing_hook_stops_the_build_with_one_sentence_naming_it() -> None:
    from types import SimpleNamespace

    from handbook.errors import EngineError

    with pytest.raises(EngineError, match=r"WeasyPrint .* has changed the boxes of a laid-out page") as caught:
        list(weasy.placed(SimpleNamespace(pages=[object()]), "block"))
    assert "weasyprint>=70,<71" in caught.value.hint


def test_table_header_cells_get_their_scope_from_the_tagging_s_cell_marks() -> None:
    """`box.mark`: the structure element WeasyPrint's tagging gives a table cell, read by `weasy.write`."""
    import pikepdf

    table = ('<table><thead><tr><th>Week</th><th>Date</th></tr></thead>'
             '<tbody><tr><th scope="row">0</th><td>14 September 2026</td></tr></tbody></table>')
    fonts = weasy.font_config()
    document = weasy.lay_out(f'<html lang="en"><head><title>T</title></head><body>{table}</body></html>',
                             base_url="file:///", fetcher=None, stylesheets=[], fonts=fonts, forms=False,
                             variant="pdf/a-3a", tags=True)
    data = weasy.write(document, list(document.pages), generator="test", variant="pdf/a-3a", forms=False, tags=True)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        scopes = []
        stack = [pdf.Root.StructTreeRoot.K]
        while stack:
            item = stack.pop()
            if isinstance(item, pikepdf.Array):
                stack.extend(item)
            elif isinstance(item, pikepdf.Dictionary) and "/S" in item:
                if item.S == "/TH":
                    scopes.append(str(item.A.get("/Scope")))
                if "/K" in item:
                    stack.append(item.K)
    assert sorted(scopes) == ["/Column", "/Column", "/Row"], changed("the marks of tagged table cells (box.mark)")
