"""The printed side of the example build: agreements, forms and the handbook as a book.

The example is built once per session. PDFs are read with pypdf (text, form fields, metadata,
outline) and checked with `qpdf --check`; whole files are never compared.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import pdf_language
from pypdf import PdfReader

from handbook.commands.stage import load
from handbook.plan.schedule import review_schedule
from handbook.render.printing import agreement_fingerprint, downloads


@pytest.fixture(scope="session")
def example(built_example: Path) -> Path:
    """The example project, with its cohort, built once per session (tests/conftest.py): read only."""
    return built_example


@pytest.fixture(scope="session")
def loaded(example: Path):  # type: ignore[no-untyped-def]
    return load(example)


def pages_text(path: Path) -> list[str]:
    """Return the text of each page, whitespace collapsed (read once per content: the site's copies are the same)."""
    return _pages_text(path.read_bytes())


@functools.lru_cache(maxsize=None)
def _pages_text(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


def squash(text: str) -> str:
    """Return `text` without any whitespace: line breaks in a PDF never break a comparison."""
    return re.sub(r"\s+", "", text)


def agreements(example: Path) -> dict[str, Path]:
    """Return the agreements by name (`blank`, the groups' ids) and the terms (`terms`)."""
    return {p.stem: p for p in sorted((example / "build" / "pdf" / "agreements").glob("*.pdf"))}


def field_names(path: Path) -> set[str]:
    """Return the names of a PDF's form fields, without a prefix that keeps one agreement's apart from another's."""
    return {re.sub(r"^.*?(?=partner-|coordinator-|cohort$|group$|review-)", "", name)
            for name in (PdfReader(path).get_fields() or {})}


# --- what is there -------------------------------------------------------------------------


def test_every_pdf_is_written(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    pdf = example / "build" / "pdf"
    expected = {"handbook.pdf", "agreements/blank.pdf"}
    expected |= {f"agreements/{g.id}.pdf" for g in loaded.cohort.groups}
    expected |= {d.path for d in downloads(loaded.program)}
    for language in loaded.languages[1:]:  # each further language's own (de/handbook.pdf, de/forms/...)
        expected |= {f"{language}/{d.path}" for d in downloads(loaded.in_language(language).program)}
    found = {p.relative_to(pdf).as_posix() for p in pdf.rglob("*.pdf")}
    assert found == expected
    assert {"forms/smart-goal-worksheet.pdf", "forms/session-agenda.pdf", "forms/session-log.pdf",
            "forms/mid-point-check-in.pdf", "forms/closure-reflection.pdf", "forms/training-attendance.pdf"} <= found
    assert {f"forms/playbook-card-{c.id}.pdf" for c in loaded.program.challenges} <= found


# --- agreements --------------------------------------------------------------------------


def test_each_agreement_names_its_members_and_no_one_else(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    cohort = loaded.cohort
    files = agreements(example)
    for group in cohort.groups:
        text = " ".join(pages_text(files[group.id]))
        members = set(group.members)
        for person in cohort.participants:
            present = person.name in text or person.email in text
            assert present == (person.id in members), f"{group.id}: {person.name} present={present}"
        assert group.id in text


def test_the_blank_agreement_names_no_one(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(pages_text(agreements(example)["blank"]))
    for person in loaded.cohort.participants:
        assert person.name not in text and person.email not in text
    assert "Partner A" in text and "Partner B" in text


def test_the_terms_hold_the_program_s_terms_in_full(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    program = loaded.program
    text = squash(" ".join(pages_text(agreements(example)["terms"])))
    info = program.program
    for phrase in (info.name, f"Version {info.version}", "1 September 2026", "Terms of the mentoring agreement",
                   "Purpose and scope", "How we meet", program.guidelines.meetings.scheduling, "Our goals",
                   "SMART goal worksheet", "Our roles", "Confidentiality", "Ground rules and boundaries",
                   "When we disagree", "Ending the relationship", "No-fault exit", "Rematching"):
        assert squash(phrase) in text, phrase
    c = program.confidentiality
    for item in [clause.text for clause in c.clauses] + [limit.title for limit in c.limits] + \
            list(c.principles) + list(c.breach_consequences) + [c.reporting] + \
            list(program.guidelines.ground_rules) + list(program.guidelines.boundaries) + \
            list(program.guidelines.conflict_resolution) + [ch.name for ch in program.guidelines.channels]:
        assert squash(item) in text, item
    assert "Maintainthishandbook" not in text and "setoutinthehandbook" not in text


def test_the_terms_are_public_and_every_agreement_cites_them_by_fingerprint(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    fingerprint = agreement_fingerprint(loaded.program)
    assert "agreements/terms.pdf" in {d.path for d in downloads(loaded.program)}
    assert (example / "build" / "site" / "downloads" / "agreements" / "terms.pdf").is_file()
    terms = pages_text(agreements(example)["terms"])
    assert f"Fingerprint {fingerprint}" in terms[0]
    german = {g.id for g in loaded.cohort.groups if loaded.cohort.language(g, "en") == "de"}
    assert german == {"pair-02"}  # the example's German pair signs the German terms
    for name, path in agreements(example).items():
        if name == "terms" or name in german:
            continue
        first, *_, last = (squash(page) for page in pages_text(path))
        version = loaded.program.program.version
        assert squash(f"“Terms of the mentoring agreement”, version {version}, fingerprint {fingerprint}") in first
        assert squash(f"program's terms together (version {version}, fingerprint {fingerprint})") in last, name
    german_terms = " ".join(pages_text(example / "build" / "pdf" / "de" / "agreements" / "terms.pdf"))
    german_fingerprint = re.search(r"Prüfzeichen (\w{4}-\w{4}-\w{4})", german_terms).group(1)
    assert german_fingerprint != fingerprint  # its own text, its own fingerprint
    first, *_, last = (squash(page) for page in pages_text(agreements(example)["pair-02"]))
    assert squash(f"„Bedingungen der Mentoring-Vereinbarung“, Version {version}, Prüfzeichen {german_fingerprint}") \
        in first
    assert squash(f"Prüfzeichen {german_fingerprint}") in last


def test_a_signing_set_is_three_pages_each_saying_whose_it_is(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    cohort = loaded.cohort
    files = agreements(example)
    assert len(pages_text(files["blank"])) == 3
    for group in cohort.groups:
        pages = pages_text(files[group.id])
        assert len(pages) <= 3, group.id
        assert len(pages) % 2 == 1, group.id  # the signature page is a right-hand page with an empty back
        names = [person.name for person in cohort.members(group)]
        german = cohort.language(group, "en") == "de"
        whose = (", ".join(names[:-1]) + (" und " if german else " and ") + names[-1]) + f" · {cohort.name}"
        for number, page in enumerate(pages, start=1):
            assert whose in page, (group.id, number)
        assert f"{'Gruppe' if german else 'Group'} {group.id}" in pages[-1]
        assert "pair-" not in pages[0] and "triad-" not in pages[0]  # names and the cohort lead, not the id


def test_the_signing_set_spells_out_the_commitments_and_the_limits(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    c = loaded.program.confidentiality
    for name in ("blank", "pair-01", "triad-01"):
        pages = pages_text(agreements(example)[name])
        commitments = squash(pages[1])
        assert "Whatwecommitto" in commitments and "Whereconfidentialityends" in commitments
        for item in [clause.text for clause in c.clauses] + [limit.title for limit in c.limits]:
            assert squash(item) in commitments, (name, item)
        assert squash("If one of us confides being the victim of harassment, discrimination, violence or any other "
                      "harm, it is not reported against their wish") in commitments
        assert squash("only where a limit for a risk of harm applies (Risk of harm to self or others)") in commitments
        assert squash(c.reporting) in commitments
        assert "Ourgoals" not in squash(" ".join(pages))  # goals are on the SMART goal worksheet


# What an agreement prints, in the languages of the example's groups (its German pair signs in German)
WORDS = {
    "en": {"page": "Page {n} of {m}", "fingerprint": "fingerprint", "signatures": "Signatures",
           "signature": "SIGNATURE", "date": "DATE", "only": "The program coordinator receives this page only"},
    "de": {"page": "Seite {n} von {m}", "fingerprint": "Prüfzeichen", "signatures": "Unterschriften",
           "signature": "UNTERSCHRIFT", "date": "DATUM", "only": "Die Programmkoordination erhält nur diese Seite"},
}


def language_of(loaded, name: str) -> str:  # type: ignore[no-untyped-def]
    """Return the language of the agreement `name` (`blank` or a group's id)."""
    return pdf_language(loaded, f"agreements/{name}.pdf")


def test_review_dates_follow_the_start_date(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    from handbook import i18n

    for group in loaded.cohort.groups:
        text = " ".join(pages_text(agreements(example)[group.id])[:1])
        words = i18n.messages(language_of(loaded, group.id))
        for point, date in review_schedule(loaded.program).dated(group.start):
            assert words.date(date) in text, (group.id, point.id, date)


def test_every_page_has_its_number_the_version_and_the_fingerprint(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    fingerprint = agreement_fingerprint(loaded.program)
    assert re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", fingerprint)
    for name, path in agreements(example).items():
        pages = pages_text(path)
        words = WORDS[language_of(loaded, name)]
        own = fingerprint if language_of(loaded, name) == "en" else \
            re.search(r"Prüfzeichen (\w{4}-\w{4}-\w{4})", pages[0]).group(1)  # the German terms'
        for number, text in enumerate(pages, start=1):
            assert words["page"].format(n=number, m=len(pages)) in text, (name, number)
            assert f"{words['fingerprint']} {own}" in text, (name, number)
            assert f"Version {loaded.program.program.version}" in text, (name, number)


def test_signature_blocks_are_together_on_the_last_page(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    cohort = loaded.cohort
    files = agreements(example)
    for group in cohort.groups:
        pages = pages_text(files[group.id])
        last = pages[-1]
        words = WORDS[language_of(loaded, group.id)]
        assert words["signatures"] in last and not any(words["signatures"] in p for p in pages[:-1])
        assert last.count(words["signature"]) == len(group.members) + 1  # each member and the coordinator
        assert last.count(words["date"]) == len(group.members) + 1
        assert loaded.program.program.coordinator.name in last
        for person in cohort.members(group):
            assert person.name in last
        assert words["only"] in last


def test_agreements_are_fillable(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    for group in [None, *loaded.cohort.groups]:
        path = agreements(example)["blank" if group is None else group.id]
        fields = field_names(path)
        partners = "abc"[:len(group.members) if group else 2]
        for p in partners:
            assert {f"partner-{p}-consent", f"partner-{p}-date"} <= fields
        assert "coordinator-date" in fields
        assert "partner-d-date" not in fields and (group is None or len(group.members) == 3
                                                   or "partner-c-date" not in fields)
        assert not [name for name in fields if "goal" in name]


def test_every_line_of_the_blank_agreement_is_a_form_field(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    reader = PdfReader(agreements(example)["blank"])
    first = {annotation.get_object()["/T"] for annotation in reader.pages[0].get("/Annots") or []
             if annotation.get_object().get("/Subtype") == "/Widget"}
    expected = {"cohort"} | {f"partner-{p}-{what}" for p in "ab" for what in ("name", "department", "email")}
    expected |= {f"review-{point.kind}-{point.id}" for point in review_schedule(loaded.program)}
    assert first == expected
    fields = reader.get_fields() or {}
    assert all(fields[name]["/FT"] == "/Tx" for name in expected)
    assert fields["partner-b-email"]["/TU"] == "Partner B, email"
    last = {annotation.get_object()["/T"] for annotation in reader.pages[-1].get("/Annots") or []}
    assert {"group", "partner-a-signed-name", "partner-b-signed-name", "coordinator-date"} <= last


def test_form_fields_have_appearances_for_pdfa(example: Path) -> None:
    reader = PdfReader(agreements(example)["pair-01"])
    form = reader.trailer["/Root"]["/AcroForm"]
    assert "/NeedAppearances" not in form or not form["/NeedAppearances"]
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/Subtype") == "/Widget":
                assert "/AP" in widget and int(widget["/F"]) & 4  # an appearance, and printed


# --- every PDF --------------------------------------------------------------------------


def all_pdfs(example: Path) -> list[Path]:
    return sorted((example / "build" / "pdf").rglob("*.pdf"))


def test_every_pdf_is_pdfa_3a_and_pdfua_1_with_its_metadata(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    for path in all_pdfs(example):
        language = pdf_language(loaded, path.relative_to(example / "build" / "pdf").as_posix())
        info = loaded.in_language(language).program.program
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp, path.name
        assert 'pdfuaid:part="1"' in xmp, path.name
        assert "/OutputIntents" in root and root["/Lang"] == info.language, path.name
        meta = reader.metadata
        assert meta.title and meta.title.startswith(info.name), path.name
        assert reader.xmp_metadata.dc_title["x-default"] == meta.title, path.name
        assert meta.author == info.organization and meta.subject, path.name
        assert meta.creation_date is not None and meta.creation_date.year == 2026, path.name  # SOURCE_DATE_EPOCH
    title = PdfReader(agreements(example)["pair-01"]).metadata.title
    assert title.endswith("agreement pair-01")


def test_qpdf_finds_no_problem_in_any_pdf(example: Path) -> None:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed (scripts/test installs it)")
    for path in all_pdfs(example):
        result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, f"{path.name}: {result.stdout}{result.stderr}"
        assert "No syntax or stream encoding errors" in result.stdout, path.name


def test_forms_are_fillable_and_name_no_one(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    forms = example / "build" / "pdf" / "forms"
    for path in forms.glob("*.pdf"):
        text = " ".join(pages_text(path))
        for person in loaded.cohort.participants:
            assert person.name not in text
        if not path.name.startswith("playbook-card-"):
            assert PdfReader(path).get_fields(), path.name
    attendance = pages_text(forms / "training-attendance.pdf")
    assert len(attendance) == len(loaded.program.training.modules)
    for module, page in zip(loaded.program.training.modules, attendance):
        assert module.title in page
    for challenge in loaded.program.challenges:
        text = " ".join(pages_text(forms / f"playbook-card-{challenge.id}.pdf"))
        assert challenge.title in text
        for playbook in loaded.program.playbooks_for(challenge.id):
            assert playbook.title in text
        for sign in challenge.warning_signs:
            assert squash(sign) in squash(text)


# --- the handbook -------------------------------------------------------------------------


def test_the_handbook_is_a_book(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    program = loaded.program
    reader = PdfReader(example / "build" / "pdf" / "handbook.pdf")
    pages = pages_text(example / "build" / "pdf" / "handbook.pdf")
    assert len(pages) >= 20
    assert program.program.name in pages[0] and "Handbook" in pages[0]
    assert "Contents" in pages[1]
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    for chapter in ("Overview", "Benefits", "Goals", "Roles", "Guidelines", "Confidentiality", "Training",
                    "Challenges", "Playbooks", "Implementation", "Matching", "Monitoring and evaluation",
                    "Closure and rematching", "Welcome", "Frequently asked questions"):
        assert chapter in titles, chapter
        destination = reader.get_destination_page_number(
            next(item for item in reader.outline if not isinstance(item, list) and item.title == chapter))
        assert pages[destination].count(chapter) >= 2, chapter  # running header and heading
    # The contents give the page each chapter starts on.
    confidentiality = next(i for i, p in enumerate(pages) if p.startswith("Confidentiality") and i > 2)
    assert re.search(rf"Confidentiality\W*\.*\s*{confidentiality + 1}\b", pages[1] + " " + pages[2])
    assert str(len(pages)) in pages[-1]
    text = squash(" ".join(pages))
    for module in program.training.modules:
        assert squash(module.title) in text
    for clause in program.confidentiality.clauses:
        assert squash(clause.text) in text
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged


# --- the site -----------------------------------------------------------------------------


def test_no_personal_data_anywhere_under_the_site(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    site = example / "build" / "site"
    secrets = [p.name for p in loaded.cohort.participants] + [p.email for p in loaded.cohort.participants]
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            text = " ".join(pages_text(path))
        else:
            text = path.read_bytes().decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in text, f"{secret} in {path.relative_to(site)}"
    archive = example / "build" / "handbook-site.zip"
    if archive.is_file():
        with zipfile.ZipFile(archive) as zipped:
            names = zipped.namelist()
            assert not any("agreements/" in n and n.endswith(".pdf") and
                           not n.endswith(("agreements/blank.pdf", "agreements/terms.pdf")) for n in names)
            for name in names:
                if not name.endswith(".pdf"):
                    data = zipped.read(name).decode("utf-8", "replace")
                    assert not any(secret in data for secret in secrets), name


def test_the_site_offers_every_non_personal_pdf(example: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    site = example / "build" / "site"
    page = (site / "downloads.html").read_text(encoding="utf-8")
    assert agreement_fingerprint(loaded.program) in page
    links = re.findall(r'href="(downloads/[^"]+\.pdf)"', page)
    assert sorted(links) == sorted(f"downloads/{d.path}" for d in downloads(loaded.program))
    for link in links:
        assert (site / link).is_file(), link
    offered = {p.relative_to(site / "downloads").as_posix() for p in (site / "downloads").rglob("*.pdf")}
    assert offered == {d.path for d in downloads(loaded.program)}
    assert {name for name in offered if name.startswith("agreements/")} == {"agreements/blank.pdf",
                                                                            "agreements/terms.pdf"}
