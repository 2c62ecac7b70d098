"""The agreement in the program's language, and worded for the group that signs it: a pair, a triad, a circle.

What a group signs is a signing set of at most three pages (who and when; what we commit to and
where confidentiality ends; the signatures, on an odd page with an empty back), citing the program's
terms, a public PDF of their own, by version and fingerprint.

Two small projects (the golden one with a cohort), whose agreements and terms are printed once per
module through the same stage as `handbook build` (no site is built):
- English, `matching.group_size: 3`: a triad and a circle of four (groups are one larger where the
  cohort does not divide),
- German, `matching.group_size: 4`: a circle of four, starting on 1 October 2026.
The PDFs are read as text with pypdf, as a reader's search or a screen reader gets them.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import pytest
from conftest import small_with_cohort
from pypdf import PdfReader

from handbook.commands.stage import load, render
from handbook.output.pdf import write_pdfs
from handbook.render.printing import PrintSet

PEOPLE = """\
participants:
  - {id: ana, name: Ana Lima, email: ana@example.org, department: Sales}
  - {id: ben, name: Ben Okafor, email: ben@example.org, department: Finance}
  - {id: cai, name: Cai Wen, email: cai@example.org}
  - {id: dee, name: Dee Ng, email: dee@example.org}
  - {id: eva, name: Eva Sørensen, email: eva@example.org, department: IT}
  - {id: fin, name: Fin Murphy, email: fin@example.org}
  - {id: gus, name: Gus Braun, email: gus@example.org}
"""
ENGLISH_GROUPS = """\
groups:
  - {id: triad-1, members: [ana, ben, cai], start: 2026-02-02}
  - {id: circle-1, members: [dee, eva, fin, gus], start: 2026-02-09}
"""
GERMAN_GROUPS = """\
groups:
  - {id: kreis-1, members: [ana, ben, cai, dee], start: 2026-10-01}
"""
NAMES = {"ana": "Ana Lima", "ben": "Ben Okafor", "cai": "Cai Wen", "dee": "Dee Ng", "eva": "Eva Sørensen",
         "fin": "Fin Murphy", "gus": "Gus Braun"}

# The agreement's own English words (the program's text in the small project is English, and stays so;
# so does the coordinator's `role`, which program.yaml leaves to its English default there).
ENGLISH_WORDS = ("Mentoring agreement", "Between us", "Our dates", "What happens", "If you need help",
                 "What we commit to", "Each of us", "Where confidentiality ends", "confides being harmed",
                 "victim", "Cohort", "Group", "terms", "no-fault exit", "Signatures", "SIGNATURE", "I have read",
                 "PROGRAM COORDINATOR", "Page 1 of", "Partner A", "Member A", "effective", "fingerprint",
                 "months", "January", "October")
# ... and the terms' own.
ENGLISH_TERMS = ("Terms of the mentoring agreement", "Purpose and scope", "How we meet", "How long", "Who schedules",
                 "Our goals", "Our roles", "Each of us", "Confidentiality", "Ground rules", "When we disagree",
                 "Ending the relationship", "No-fault exit", "Page 1 of", "effective", "fingerprint", "minutes")
# Wording that counts two people: wrong for three or more.
PAIR_WORDING = ("Either of us", "either of us", "both partners", "Both partners", "the two of you", "the pair",
                "Partner A", "the partner:", "both of us")


def _program(root: Path, language: str, group_size: int) -> None:
    path = root / "program.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  language: en\n", f"  language: {language}\n", 1)
    text = text.replace("matching:\n", f"matching:\n  group_size: {group_size}\n", 1)
    path.write_text(text, encoding="utf-8")


def _print_agreements(root: Path) -> Path:
    """Print the terms, the blank agreement and the groups' agreements of `root` into root/out/agreements/."""
    rendered = render(load(root))
    prints = rendered.prints
    agreements = PrintSet(tuple(b for b in prints.batches if b.name in ("agreement terms", "blank agreement")),
                          prints.stamps, prints.fingerprint)
    write_pdfs(agreements, root, root / "out", workers=2)
    return root / "out" / "agreements"


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = small_with_cohort(tmp_path_factory.mktemp("english") / "project", PEOPLE + ENGLISH_GROUPS)
    _program(root, "en", 3)
    return _print_agreements(root)


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = small_with_cohort(tmp_path_factory.mktemp("german") / "project", PEOPLE + GERMAN_GROUPS)
    _program(root, "de", 4)
    return _print_agreements(root)


def pages(path: Path) -> list[str]:
    """Return the text of each page, whitespace collapsed (each file is read once)."""
    return list(_pages(path.read_bytes()))


@functools.lru_cache(maxsize=None)
def _pages(data: bytes) -> tuple[str, ...]:
    return tuple(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


def text(path: Path) -> str:
    return " ".join(pages(path))


# --- German -------------------------------------------------------------------------------


def test_a_german_agreement_has_german_headings_labels_and_dates(german: Path) -> None:
    circle = pages(german / "kreis-1.pdf")
    whole = " ".join(circle)
    for words in ("Mentoring-Vereinbarung", "Zwischen uns", "Unsere Termine", "Wenn Sie Hilfe brauchen",
                  "Wozu wir uns verpflichten", "Wo die Vertraulichkeit endet", "Opfer von Belästigung",
                  "Unterschriften", "Ich habe diese Vereinbarung gelesen und stimme ihr zu.", "Mitglied A",
                  "Mitglied D", "Jede und jeder von uns kann die Mentoring-Beziehung jederzeit",
                  "Bedingungen des Programms"):
        assert words in whole, words
    assert "1. Oktober 2026" in circle[0]  # the first session, the circle's start
    assert "gültig ab 5. Januar 2026" in circle[0]  # the program's effective date
    assert "3 Monate" in circle[0]
    for number, page in enumerate(circle, start=1):
        assert f"Seite {number} von {len(circle)}" in page


@pytest.mark.parametrize("name", ["blank", "kreis-1"])
def test_a_german_agreement_has_none_of_the_agreement_s_english_words(german: Path, name: str) -> None:
    whole = text(german / f"{name}.pdf")
    assert not [words for words in ENGLISH_WORDS if words in whole]


def test_the_german_terms_are_german_throughout(german: Path) -> None:
    terms = pages(german / "terms.pdf")
    whole = " ".join(terms)
    for words in ("Bedingungen der Mentoring-Vereinbarung", "Zweck und Umfang", "Wie wir uns treffen",
                  "Unsere Ziele", "Arbeitsblatt SMART-Ziele", "Vertraulichkeit", "Wo die Vertraulichkeit endet",
                  "Opfer von Belästigung", "gültig ab 5. Januar 2026"):
        assert words in whole, words
    assert not [words for words in ENGLISH_TERMS if words in whole]
    for number, page in enumerate(terms, start=1):
        assert f"Seite {number} von {len(terms)}" in page


def test_a_german_agreement_is_tagged_and_described_in_german(german: Path) -> None:
    for name in ("blank", "kreis-1"):
        reader = PdfReader(german / f"{name}.pdf")
        assert reader.trailer["/Root"]["/Lang"] == "de"
        assert reader.metadata.subject.startswith("Mentoring-Vereinbarung, Version 1.0, gültig ab 5. Januar 2026")
    assert PdfReader(german / "kreis-1.pdf").metadata.title == "Small Circle: Vereinbarung kreis-1"


def test_the_blank_agreement_has_a_row_and_a_signature_for_each_of_group_size_members(german: Path) -> None:
    blank = pages(german / "blank.pdf")
    assert "Mitglied D" in blank[0] and "Mitglied E" not in blank[0]
    assert blank[-1].count("UNTERSCHRIFT") == 4 + 1  # four members and the coordinator
    fields = PdfReader(german / "blank.pdf").get_fields() or {}
    assert {f"partner-{p}-consent" for p in "abcd"} <= set(fields) and "partner-e-consent" not in fields
    # what a screen reader and a viewer's tooltip call the fields a person writes on, in German
    assert fields["partner-d-name"].get("/TU") == "Mitglied D, Name"
    assert fields["cohort"].get("/TU") == "Durchgang"


def test_every_page_of_a_german_agreement_says_whose_it_is(german: Path) -> None:
    circle = pages(german / "kreis-1.pdf")
    assert len(circle) <= 3
    for page in circle:
        assert "Ana Lima, Ben Okafor, Cai Wen und Dee Ng" in page


# --- groups of three and four -------------------------------------------------------------


@pytest.mark.parametrize("group, members", [("triad-1", ["ana", "ben", "cai"]),
                                            ("circle-1", ["dee", "eva", "fin", "gus"])])
def test_a_group_of_three_or_four_signs_an_agreement_worded_for_it(english: Path, group: str,
                                                                   members: list[str]) -> None:
    agreement = pages(english / f"{group}.pdf")
    whole = " ".join(agreement)
    assert len(agreement) == 3
    assert not [words for words in PAIR_WORDING if words in whole]
    assert "Any of us may end the relationship at any time with a no-fault exit." in whole
    letters = "ABCDEF"[:len(members)]
    assert all(f"Member {letter}" in agreement[0] for letter in letters)
    assert f"Member {chr(ord(letters[-1]) + 1)}" not in whole
    signatures = agreement[-1]  # every block on the one page the coordinator receives
    assert "Signatures" in signatures and not any("Signatures" in page for page in agreement[:-1])
    assert signatures.count("SIGNATURE") == len(members) + 1
    for member in members:
        assert NAMES[member] in signatures and NAMES[member] in agreement[0]
    others = set(NAMES) - set(members)
    assert not [NAMES[person] for person in others if NAMES[person] in whole]
    fields = PdfReader(english / f"{group}.pdf").get_fields() or {}
    for letter in letters:  # a field's name may carry the group's id, so that merged agreements keep theirs apart
        assert [name for name in fields if name.endswith(f"partner-{letter.lower()}-date")], letter


def test_the_blank_agreement_of_a_program_of_triads_has_three_rows(english: Path) -> None:
    blank = pages(english / "blank.pdf")
    assert "Member C" in blank[0] and "Member D" not in blank[0]
    assert blank[-1].count("SIGNATURE") == 3 + 1
    assert not [words for words in PAIR_WORDING if words in " ".join(blank)]
    assert re.search(r"Page 1 of 3", blank[0])


def test_the_terms_hold_for_any_group_and_never_count_its_members(english: Path) -> None:
    terms = " ".join(pages(english / "terms.pdf"))
    assert not [words for words in PAIR_WORDING if words in terms]
    assert "Member A" not in terms and "Ana Lima" not in terms
    for words in ("Terms of the mentoring agreement", "Purpose and scope", "How we meet", "Our goals",
                  "SMART goal worksheet", "Our roles", "Confidentiality", "Where confidentiality ends",
                  "When one of us confides being harmed", "Ground rules", "When we disagree",
                  "Ending the relationship", "No-fault exit"):
        assert words in terms, words
