"""Rendering PDFs, at the level of the print set: stamping, determinism, the cache, safety.

A small project (the golden one, with a cohort of five) keeps these fast; no site is built.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
from conftest import build_file_tree, small_with_cohort
from pypdf import PdfReader

from handbook.commands.stage import load
from handbook.errors import InputError, TemplateError
from handbook.output.pdf import project_fetcher, render_alone, write_pdfs
from handbook.render.book import handbook_batch
from handbook.render.edition import edition
from handbook.render.printing import (
    PrintSet,
    agreement_fingerprint,
    agreement_stamps,
    blank_agreement_batch,
    group_agreement_html,
    render_print,
)

CREATED = "2026-01-05T00:00:00Z"
COHORT = """\
participants:
  - {id: ana, name: Ana Lima, email: ana@example.org, department: Sales}
  - {id: ben, name: Ben Okafor, email: ben@example.org, department: Finance}
  - {id: cai, name: Cai Wen, email: cai@example.org}
  - {id: dee, name: Dee Ng, email: dee@example.org}
  - {id: eva, name: Eva Sørensen, email: eva@example.org, department: IT}
groups:
  - {id: pair-1, members: [ana, ben], start: 2026-02-02}
  - {id: triad-1, members: [cai, dee, eva], start: 2026-02-09}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The small golden project with a small cohort."""
    return small_with_cohort(tmp_path / "project", COHORT)


def agreements_only(root: Path) -> PrintSet:
    loaded = load(root)
    fingerprint = agreement_fingerprint(loaded.program)
    templates = loaded.layout.templates
    return PrintSet((blank_agreement_batch(loaded.program, templates, fingerprint, CREATED),),
                    (agreement_stamps(loaded.program, loaded.cohort, templates, fingerprint, CREATED),), fingerprint)


def words_by_page(path: Path) -> list[collections.Counter[str]]:
    return [collections.Counter((page.extract_text() or "").split()) for page in PdfReader(path).pages]


def test_a_stamped_agreement_reads_like_one_laid_out_in_full(project: Path, tmp_path: Path) -> None:
    prints = agreements_only(project)
    write_pdfs(prints, project, tmp_path / "stamped", workers=2)
    loaded = load(project)
    blank = prints.batches[0]
    for group in loaded.cohort.groups:
        html = group_agreement_html(loaded.program, group, loaded.cohort, loaded.layout.templates, prints.fingerprint)
        output = type(blank.outputs[0])(f"{group.id}.pdf", html, prints.stamps[0].fills[0].meta)
        render_alone(blank, output, project, tmp_path / "full" / f"{group.id}.pdf") if (tmp_path / "full").mkdir(
            exist_ok=True) is None else None
        stamped = words_by_page(tmp_path / "stamped" / "agreements" / f"{group.id}.pdf")
        full = words_by_page(tmp_path / "full" / f"{group.id}.pdf")
        assert len(stamped) == len(full)
        assert stamped == full, group.id


def test_same_inputs_give_the_same_bytes_whatever_the_batch(project: Path, tmp_path: Path) -> None:
    prints = agreements_only(project)
    write_pdfs(prints, project, tmp_path / "one", workers=2)
    write_pdfs(prints, project, tmp_path / "two", workers=1)
    alone = PrintSet((), (prints.stamps[0].subset(["agreements/triad-1.pdf"]),), prints.fingerprint)
    write_pdfs(alone, project, tmp_path / "alone", workers=1)
    for path in sorted((tmp_path / "one").rglob("*.pdf")):
        relative = path.relative_to(tmp_path / "one")
        assert path.read_bytes() == (tmp_path / "two" / relative).read_bytes(), relative
    triad = "agreements/triad-1.pdf"
    assert (tmp_path / "one" / triad).read_bytes() == (tmp_path / "alone" / triad).read_bytes()


def test_only_changed_agreements_are_rendered_again(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = write_pdfs(agreements_only(project), project, tmp_path / "a", cache=cache, workers=2)
    assert (first.rendered, first.reused) == (3, 0)
    again = write_pdfs(agreements_only(project), project, tmp_path / "b", cache=cache, workers=2)
    assert (again.rendered, again.reused) == (0, 3)
    cohort = project / "cohort.yaml"
    cohort.write_text(cohort.read_text(encoding="utf-8").replace("Ana Lima", "Ana Lima-Souza"), encoding="utf-8")
    changed = write_pdfs(agreements_only(project), project, tmp_path / "c", cache=cache, workers=2)
    assert (changed.rendered, changed.reused) == (1, 2)
    assert "Ana Lima-Souza" in " ".join(p.extract_text() for p in PdfReader(tmp_path / "c" / "agreements" /
                                                                              "pair-1.pdf").pages)
    # Entries no longer used are removed: the old pair-1, and nothing else.
    assert len(list(cache.glob("*/*.pdf"))) == 3 + 2  # three agreements and two templates


@pytest.mark.parametrize("name,stamped", [
    ("Maximiliane Konstantinopoulou-Brandt", True),  # set smaller to fit its box
    ("Maximiliane Alexandra Konstantinopoulou-Hohenzollern-Sigmaringen von Wittelsbach", False),  # laid out in full
])
def test_a_name_too_long_for_its_box_still_prints_whole(project: Path, tmp_path: Path, name: str,
                                                         stamped: bool) -> None:
    cohort = project / "cohort.yaml"
    cohort.write_text(cohort.read_text(encoding="utf-8").replace("Ana Lima", name), encoding="utf-8")
    write_pdfs(agreements_only(project), project, tmp_path, workers=1)
    reader = PdfReader(tmp_path / "agreements" / "pair-1.pdf")
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in reader.pages]
    squashed = re.sub(r"\s+", "", name)
    assert squashed in pages[0] and squashed in pages[-1]
    resources = reader.pages[0]["/Resources"]
    assert any(name.startswith("/HbSlot") for name in resources.get("/XObject") or {}) == stamped


def test_the_fingerprint_follows_the_terms_only(project: Path) -> None:
    loaded = load(project)
    fingerprint = agreement_fingerprint(loaded.program)
    assert fingerprint == agreement_fingerprint(load(project).program)
    program = project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace(
        "I keep what my partner tells me to myself.", "I keep what my partner tells me to myself, always."),
        encoding="utf-8")
    assert agreement_fingerprint(load(project).program) != fingerprint
    cohort = project / "cohort.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace(", always.", "."), encoding="utf-8")
    cohort.write_text(cohort.read_text(encoding="utf-8").replace("Ana Lima", "Anna Lima"), encoding="utf-8")
    assert agreement_fingerprint(load(project).program) == fingerprint
    # A word of the terms that the signing set does not repeat changes it too: one fingerprint for both.
    program.write_text(program.read_text(encoding="utf-8").replace("    - Be on time\n", "    - Be on time, always\n"),
                       encoding="utf-8")
    assert agreement_fingerprint(load(project).program) != fingerprint


# --- the book -----------------------------------------------------------------------------

# A sentence of each kind of page, as its site template (or content page) writes it.
SITE_PROSE = {
    "guidelines": "These guidelines hold for every group. They are part of the agreement you sign.",
    "confidentiality": "Open, honest conversation needs trust.",
    "challenges": "Peer mentoring has numerous benefits, and it also comes with challenges.",
    "playbooks": "Each playbook says what to do, who does it, and when to escalate.",
    "implementation": "Effective implementation of peer mentoring requires careful planning and execution.",
    "module": "After this module you can:",
    "downloads": "The fingerprint is printed at the foot of every page of an agreement.",
    "content page": "Thank you for joining, or for thinking about it.",
}


def test_the_book_prints_each_site_page_once_with_page_references(project: Path, tmp_path: Path) -> None:
    build_file_tree(project, {"content/welcome.md": "---\nplacement: start\n---\n\n# Welcome\n\n"
                                                    "Thank you for joining, or for thinking about it. "
                                                    "Read the [guidelines](guidelines.md) first.\n"})
    loaded = load(project)
    facts = edition(loaded)
    book = handbook_batch(loaded, facts, CREATED)
    write_pdfs(PrintSet((book,), (), facts.fingerprint), project, tmp_path, workers=1)
    reader = PdfReader(tmp_path / "handbook.pdf")
    pages = [re.sub(r"\s+", "", page.extract_text() or "") for page in reader.pages]
    text = "".join(pages)
    for page, sentence in SITE_PROSE.items():
        assert text.count(re.sub(r"\s+", "", sentence)) == 1, page
    # A link to another page prints the page it leads to.
    start = {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline
             if not isinstance(item, list)}
    assert f"Readtheguidelines(p.{start['Guidelines']})" in text
    assert list(start)[:3] == ["Contents", "Overview", "Welcome"]


# --- safety -----------------------------------------------------------------------------


def test_the_fetcher_serves_the_project_and_refuses_everything_else(project: Path, tmp_path: Path) -> None:
    fetcher = project_fetcher([project.resolve()])
    (project / "logo.txt").write_text("inside", encoding="utf-8")
    assert fetcher.fetch((project / "logo.txt").resolve().as_uri()).read() == b"inside"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    for url in (outside.as_uri(), "https://example.org/logo.png", "http://127.0.0.1/x", "ftp://example.org/x",
                (project / ".." / "outside.txt").as_uri()):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)


@pytest.mark.parametrize("src,expected", [
    ("https://example.org/logo.png", "only files inside the project are used, never the network"),
    ("content/missing.png", "content/missing.png"),
])
def test_a_resource_that_cannot_be_loaded_fails_the_build_named(project: Path, tmp_path: Path, src: str,
                                                                expected: str) -> None:
    override = project / "templates" / "print" / "agreement" / "front.html.j2"
    override.parent.mkdir(parents=True)
    builtin = Path(__import__("handbook").__file__).parent / "templates" / "print" / "agreement" / "front.html.j2"
    override.write_text(builtin.read_text(encoding="utf-8").replace(
        '<header class="title-block">', f'<img src="{src}" alt="logo"><header class="title-block">'),
        encoding="utf-8")
    with pytest.raises(InputError) as caught:
        write_pdfs(agreements_only(project), project, tmp_path, workers=1)
    text = caught.value.format()
    assert "agreement.html.j2" in text and "the PDF renderer reports" in text and expected in text
    assert "nothing was written" in text


def test_a_stylesheet_mistake_is_located_in_the_override(project: Path, tmp_path: Path) -> None:
    builtin = Path(__import__("handbook").__file__).parent / "templates" / "print" / "agreement.css"
    text = builtin.read_text(encoding="utf-8") + "\n.goals h2 { colr: red; }\n"
    build_file_tree(project, {"templates/print/agreement.css": text})
    line = text.count("\n", 0, text.index("colr")) + 1
    with pytest.raises(InputError) as caught:
        write_pdfs(agreements_only(project), project, tmp_path, workers=1)
    assert f"templates/print/agreement.css:{line}:" in caught.value.format()
    assert "colr" in caught.value.format()


def test_a_template_error_names_the_template_file_and_line(project: Path) -> None:
    build_file_tree(project, {"templates/print/agreement/commitments.html.j2":
                              "<h2>Commitments</h2>\n{{ agreement.goal_list }}\n"})
    loaded = load(project)
    with pytest.raises(TemplateError) as caught:
        render_print(loaded, loaded.cohort, None, edition(loaded))
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == ("templates/print/agreement/commitments.html.j2", 2)
    assert "goal_list" in problem.message


def test_a_print_template_syntax_error_is_located(project: Path) -> None:
    build_file_tree(project, {"templates/print/forms/closure-reflection.html.j2": "<h1>{{ title }</h1>\n"})
    loaded = load(project)
    with pytest.raises(TemplateError) as caught:
        render_print(loaded, loaded.cohort, None, edition(loaded))
    problem = caught.value.problems[0]
    assert problem.file == "templates/print/forms/closure-reflection.html.j2" and problem.line == 1
    assert re.search(r"template syntax", problem.message)


def test_a_font_that_cannot_be_loaded_fails_the_build_named(project: Path, tmp_path: Path) -> None:
    builtin = Path(__import__("handbook").__file__).parent / "templates" / "print" / "agreement.css"
    text = builtin.read_text(encoding="utf-8") + (
        '\n@font-face { font-family: "House"; src: url(fonts/house.ttf); }\nh1 { font-family: "House"; }\n')
    build_file_tree(project, {"templates/print/agreement.css": text})
    with pytest.raises(InputError) as caught:
        write_pdfs(agreements_only(project), project, tmp_path, workers=1)
    text = caught.value.format()
    assert "templates/print/agreement.css" in text and "Font-face 'House' cannot be loaded" in text
    assert "@font-face" in text
