"""User text is printed as written; ids the generator suggests or makes spell letters as people do.

No template or print style changes the case of a coordinator's text (German nouns, acronyms such
as "gGmbH" and "ß" break under upper-casing). Ids stay slugs: ä -> ae, ß -> ss, é -> e.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from conftest import copy_example, run_cli
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from handbook.load.validate import slugify, transliterate
from handbook.model import SLUG_PATTERN


def test_check_suggests_the_id_a_german_reader_expects(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("- id: sponsor", "- id: Hierarchiegefälle", 1),
                       encoding="utf-8")
    result = run_cli("check", "--project", project)
    assert result.exit_code == 2
    assert "program.yaml:" in result.output and "'Hierarchiegefälle'" in result.output
    assert "for example `hierarchiegefaelle`" in result.output


def test_letters_are_spelled_out_or_lose_only_their_accent() -> None:
    assert slugify("Hierarchiegefälle") == "hierarchiegefaelle"
    assert slugify("Führungskreise Straße") == "fuehrungskreise-strasse"
    assert slugify("ÖFFENTLICHER DIENST") == "oeffentlicher-dienst"
    assert slugify("Café crème, garçon") == "cafe-creme-garcon"
    assert slugify("Søren Kierkegaard, Ålborg, Æble") == "soeren-kierkegaard-aalborg-aeble"
    assert slugify("Łódź") == "lodz"
    assert transliterate("Hierarchiegefälle, Straße, Ærø") == "Hierarchiegefaelle, Strasse, Aeroe"


def test_decomposed_input_spells_like_composed_input() -> None:
    assert slugify("Gefa\u0308lle") == "gefaelle"  # a + combining diaeresis, as some editors save it


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127)))
def test_ascii_text_slugs_exactly_as_before(text: str) -> None:
    before = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")  # the rule calendar UIDs were made with
    assert slugify(text, max_length=None, fallback="") == before


@given(st.text())
def test_every_suggestion_is_an_id_the_schema_accepts(text: str) -> None:
    slug = slugify(text)
    assert re.fullmatch(SLUG_PATTERN, slug) and len(slug) <= 64


def pdf_text(path: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_pdfs_print_the_organization_and_program_name_as_written(built_example: Path) -> None:
    pdf = built_example / "build" / "pdf"
    for path in (pdf / "handbook.pdf", pdf / "agreements" / "blank.pdf", pdf / "forms" / "mid-point-check-in.pdf"):
        text = pdf_text(path)
        assert "NORTHWIND" not in text and "PEER MENTORING" not in text, path.name
    assert "Northwind Logistics" in pdf_text(pdf / "handbook.pdf").split("Contents")[0]  # the cover
    assert "Northwind Logistics" in pdf_text(pdf / "agreements" / "blank.pdf")
    assert "Peer Mentoring – Leadership" in pdf_text(pdf / "forms" / "mid-point-check-in.pdf")


def test_no_template_changes_the_case_of_text() -> None:
    templates = Path(__file__).resolve().parents[1] / "src" / "handbook" / "templates"
    for path in templates.rglob("*.j2"):
        found = re.findall(r"\|\s*(lower|upper|title|capitalize)\b", path.read_text(encoding="utf-8"))
        assert not found, f"{path.name} changes the case of text with {found}"
