"""The PDFs carry no project file and no local path: content pages cannot attach, links cannot point home."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from conftest import copy_example, copy_project, run_cli, source_date

from handbook.output.pdf import allowed_roots, project_fetcher
from handbook.render.templating import PACKAGE_TEMPLATES

NOTES = """---
title: Notes
---

# Notes

<a rel="attachment" href="cohort.yaml">Our cohort</a>
<link rel="attachment" href="roster.csv">

[run this](javascript:alert(1)), [a reference][js], <a href="#">raw</a>,
<a href="../cohort.yaml">up and out</a> and [our website](https://example.org/handbook).

[js]: javascript:alert(1)
"""
FIELD = "  summary: |\n    Peer Mentoring – Leadership pairs"


@pytest.fixture(scope="module")
def built(built_example: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built with a content page that tries to attach the cohort and roster, and `#` links.

    Built again from a copy of the shared build: the PDFs the change does not touch come from its cache.
    """
    project = copy_project(built_example, tmp_path_factory.mktemp("leaks") / "project")
    (project / "content" / "notes.md").write_text(NOTES, encoding="utf-8")
    program = project / "program.yaml"
    text = program.read_text(encoding="utf-8")
    assert FIELD in text
    program.write_text(text.replace(FIELD, FIELD.replace("    Peer", "    [Top](#) [run](javascript:alert(1)) Peer")),
                       encoding="utf-8")
    with source_date():
        result = run_cli("build", "--project", project)
    assert result.exit_code == 0, result.stderr
    book = Path("build", "pdf", "handbook.pdf")
    assert (project / book).read_bytes() != (built_example / book).read_bytes(), "the book was not printed again"
    return project


def _emails(project: Path) -> set[str]:
    cohort = yaml.safe_load((project / "cohort.yaml").read_text(encoding="utf-8"))
    emails = {p["email"] for p in cohort["participants"]}
    with open(project / "roster.csv", encoding="utf-8", newline="") as handle:
        emails |= {row["email"] for row in csv.DictReader(handle)}
    assert len(emails) > 10
    return emails


def _uris(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    uris = []
    for page in PdfReader(pdf).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action.get_object():
                uris.append(str(action.get_object()["/URI"]))
    return uris


def test_a_content_page_attaches_no_project_file_to_the_handbook(built: Path) -> None:
    import pikepdf
    from pypdf import PdfReader

    handbook = built / "build" / "pdf" / "handbook.pdf"
    reader = PdfReader(handbook)
    assert "/EmbeddedFiles" not in (reader.trailer["/Root"].get("/Names") or {})
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment"
    with pikepdf.open(handbook) as pdf:  # the attachment was compressed: read every stream decoded
        data = b"".join(o.read_bytes() for o in pdf.objects if isinstance(o, pikepdf.Stream))
    data += handbook.read_bytes()
    leaked = sorted(e for e in _emails(built) if e.encode() in data)
    assert not leaked, leaked


def test_no_pdf_links_to_a_file_on_the_build_machine(built: Path) -> None:
    pdfs = sorted((built / "build" / "pdf").rglob("*.pdf"))
    assert len(pdfs) > 10
    local = {pdf.name: [u for u in _uris(pdf) if u.lower().startswith("file:")] for pdf in pdfs}
    assert not any(local.values()), {k: v for k, v in local.items() if v}
    assert "https://example.org/handbook" in _uris(built / "build" / "pdf" / "handbook.pdf")  # still a link


def test_print_reads_site_assets_and_templates_only(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    for name in ("content/logo.png", "templates/print/extra.css", "build/site/index.html", ".handbook/cache/x",
                 "private/monitoring.csv", "roster-2025.csv"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("x", encoding="utf-8")
    fetcher = project_fetcher(allowed_roots(project))
    for name in ("content/logo.png", "templates/print/extra.css"):
        assert fetcher.fetch((project / name).as_uri()).read() == b"x"
    assert fetcher.fetch((PACKAGE_TEMPLATES / "print" / "print.css").as_uri()).read()
    for name in ("cohort.yaml", "roster.csv", "roster-2025.csv", "program.yaml", "mkdocs.yml", "build/site/index.html",
                 ".handbook/cache/x", "private/monitoring.csv", "content/faq.md", "content/../cohort.yaml"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch((project / name).as_uri())
