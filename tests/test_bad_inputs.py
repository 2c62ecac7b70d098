"""Bad input: every mistake a coordinator can make gets a located message, exit 2, nothing written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import SMALL, build_file_tree, run_cli, tree_digest

PROGRAM = (SMALL / "program.yaml").read_text(encoding="utf-8")


@dataclass
class Case:
    id: str
    expect: list[str]  # lines that must appear in stderr, in this order
    replace: tuple[tuple[str, str], ...] = ()  # edits to the small program: (old, new)
    program: str | bytes | None = None  # the whole program.yaml instead
    files: dict[str, str | bytes] = field(default_factory=dict)  # other files to add

    def program_text(self) -> str | bytes:
        if self.program is not None:
            return self.program
        text = PROGRAM
        for old, new in self.replace:
            assert old in text, f"{self.id}: {old!r} not in the small program"
            text = text.replace(old, new, 1)
        return text


def nested(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh"))

CASES = [
    Case("empty-file", ["program.yaml:1:1: the file is empty"], program=""),
    Case("only-comments", ["program.yaml:1:1: the file is empty"], program="# title: nothing yet\n\n"),
    Case("top-level-list", ["program.yaml:1:1: expected a mapping (key: value lines) at the top, got a list"],
         program="- program\n- overview\n"),
    Case("top-level-scalar", ["program.yaml:1:1: expected a mapping (key: value lines) at the top, got 'hello'"],
         program="hello\n"),
    Case("tab-indentation", ["program.yaml:4:1: YAML syntax: a tab character is used for indentation",
                             "    hint: YAML indents with spaces only; replace the tab with spaces"],
         replace=(("  organization: Example Co", "\torganization: Example Co"),)),
    Case("not-utf8", ["program.yaml:3:20: byte 0xe9 is not valid UTF-8"],
         program=PROGRAM.encode().replace(b"Small Circle", b"Small Cercl\xe9 x", 1)),
    Case("duplicate-top-key", ["program.yaml:163:1: benefits: duplicate key 'benefits' (first defined on line 37)"],
         program=PROGRAM + "benefits: []\n"),
    Case("duplicate-nested-key",
         ["program.yaml:7:3: program.version: duplicate key 'version' (first defined on line 5)"],
         replace=(("  organization: Example Co\n", "  organization: Example Co\n  version: '2'\n"),
                  ("  version: \"1.0\"\n", "  version: \"1.0\"\n"))),
    Case("deep-nesting", ["program.yaml:1:67: nesting is deeper than 64 levels"], program=nested(100)),
    Case("alias-explosion", ["the document expands to more than 200,000 values"], program=LAUGHS),
    Case("unclosed-bracket", ["program.yaml:48:15: YAML syntax: a `[` or `{` opened here is not closed"],
         replace=(("benefits: [learning]", "benefits: [learning"),)),
    Case("colon-in-value", ["program.yaml:5:26: YAML syntax: a colon followed by a space inside a value"],
         replace=(("tagline: Two colleagues, one", "tagline: Two colleagues: one"),)),
    Case("unclosed-quote", ["program.yaml:3:9: YAML syntax: a quoted text is not closed",
                            '    hint: add the closing " at the end of the text'],
         replace=(("  name: Small Circle", '  name: "Small Circle'),)),
    Case("misspelt-top-key", ["program.yaml:16:1: overveiw: unknown key 'overveiw' (did you mean 'overview'?)"],
         replace=(("overview:\n", "overveiw:\n"),)),
    Case("misspelt-nested-key",
         ["program.yaml:6:3: program.versoin: unknown key 'versoin' (did you mean 'version'?)",
          "1 problem in program.yaml; nothing was written."],
         replace=(('  version: "1.0"', '  versoin: "1.0"'),)),
    Case("missing-key", ["program.yaml:74:1: confidentiality: missing required key 'reporting'",
                         "    hint: add `reporting:` here"],
         replace=(("  reporting: Tell the coordinator.\n", ""),)),
    Case("number-expected", ["program.yaml:93:14: training.modules[0].hours: expected a number, got 'two'"],
         replace=(("      hours: 2\n", "      hours: two\n"),)),
    Case("list-expected", ["program.yaml:63:11: guidelines.agenda: expected a list, got 'Check in'"],
         replace=(("  agenda:\n    - Check in", "  agenda: Check in"),)),
    Case("impossible-date", ["program.yaml:7:19: program.effective_date: cannot read value '2026-13-05'"],
         replace=(("effective_date: 2026-01-05", "effective_date: 2026-13-05"),)),
    Case("text-not-date", ["program.yaml:7:19: program.effective_date: expected a date, got 'next monday'",
                           "    hint: write it as YYYY-MM-DD, e.g. 2026-09-01"],
         replace=(("effective_date: 2026-01-05", "effective_date: next monday"),)),
    Case("bad-choice", ["program.yaml:94:15: training.modules[0].format: expected one of: workshop, e-learning, "
                        "webinar, peer-practice, reading, coaching, but received: 'workshops' "
                        "(did you mean 'workshop'?)"],
         replace=(("format: workshop", "format: workshops"),)),
    Case("bad-id", ["program.yaml:104:9: challenges[0].id: expected an id (lowercase letters, digits and hyphens), "
                    "got 'Time Constraints'", "    hint: for example `time-constraints`"],
         replace=(("  - id: busy\n", "  - id: Time Constraints\n"),)),
    Case("duplicate-id", ["program.yaml:109:9: challenges[1].id: duplicate challenge id 'busy' (first used on line 104)"],
         replace=(("      - Cancelled sessions\n", "      - Cancelled sessions\n  - id: busy\n    title: Again\n"
                   "    description: Twice.\n    warning_signs: [x]\n"),)),
    Case("dangling-challenge", ["program.yaml:113:17: playbooks[0].addresses[0]: unknown challenge 'bussy' "
                                "(did you mean 'busy'?)"],
         replace=(("addresses: [busy]\n    summary", "addresses: [bussy]\n    summary"),)),
    Case("dangling-role", ["program.yaml:117:14: playbooks[0].steps[0].who: unknown role 'peers' "
                           "(did you mean 'peer'?)", "    hint: role ids are defined under `overview.roles`: "
                           "peer, coordinator"],
         replace=(("        who: peer\n", "        who: peers\n"),)),
    Case("challenge-without-playbook", ["program.yaml:104:9: challenges[0].id: challenge 'busy' has no playbook"],
         replace=(("addresses: [busy]\n    summary", "addresses: []\n    summary"),)),
    Case("review-before-effective", ["program.yaml:8:16: program.review_date: review date 2025-12-31 is not "
                                     "after the effective date 2026-01-05"],
         replace=(("review_date: 2026-12-31", "review_date: 2025-12-31"),)),
    Case("bad-email", ["program.yaml:13:12: program.coordinator.email: expected an email address, "
                       "got 'coordinator at example'"],
         replace=(("email: coordinator@example.org", "email: coordinator at example"),)),
    Case("out-of-range", ["program.yaml:56:18: guidelines.meetings.every_weeks: expected a number at least 1, got 0"],
         replace=(("every_weeks: 2", "every_weeks: 0"),)),
    Case("unquoted-time", ["program.yaml:58:17: guidelines.meetings.start_time: expected a time, got 840",
                           '    hint: write it in quotes as HH:MM, e.g. "14:00"'],
         replace=(("    length_minutes: 45\n", "    length_minutes: 45\n    start_time: 14:00\n"),)),
    Case("two-documents", ["program.yaml:163:1: the file holds more than one YAML document"],
         program=PROGRAM + "---\nprogram: {}\n"),
    Case("front-matter-unclosed", ["content/faq.md:1:1: front matter is not closed"],
         files={"content/faq.md": "---\ntitle: Questions\n\n# Questions\n"}),
    Case("front-matter-unknown-key", ["content/faq.md:2:1: titel: unknown key 'titel' (did you mean 'title'?)"],
         files={"content/faq.md": "---\ntitel: Questions\n---\n# Questions\n"}),
    Case("front-matter-bad-yaml", ["content/faq.md:2:8: YAML syntax"],
         files={"content/faq.md": "---\ntitle: [Questions\n---\n# Questions\n"}),
    Case("content-page-takes-generated-name", ["content/goals.md: the page name 'goals.md' is used by a "
                                               "generated page"],
         files={"content/goals.md": "# Our goals\n"}),
    Case("template-syntax-error", ["templates/site/roles.md.j2:3: template syntax: unexpected '}'"],
         files={"templates/site/roles.md.j2": "# Roles\n\n{% for role in program.overview.roles }\n"}),
    Case("template-undefined", ["templates/site/roles.md.j2:2: template error: 'handbook.model.ProgramInfo "
                                "object' has no attribute 'nmae'"],
         files={"templates/site/roles.md.j2": "# Roles\n{{ info.nmae }}\n"}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_is_reported_located_and_nothing_changes(case: Case, small_project: Path) -> None:
    program = case.program_text()
    build_file_tree(small_project, {"program.yaml": program, **case.files,
                                    "build/site/index.html": "<p>previous build</p>", "build/pdf/x.pdf": b"%PDF"})
    before = tree_digest(small_project / "build")
    result = run_cli("build", "--project", small_project)
    assert result.exit_code == 2, result.output + result.stderr
    assert "Traceback" not in result.stderr + result.output
    lines = result.stderr
    position = 0
    for expected in case.expect:
        found = lines.find(expected, position)
        assert found >= 0, f"expected {expected!r} in:\n{lines}"
        position = found + len(expected)
    assert "nothing was written." in lines
    assert tree_digest(small_project / "build") == before
    assert sorted(p.name for p in small_project.iterdir() if p.name.startswith("build")) == ["build"]


def test_bad_input_corpus_is_large_enough() -> None:
    assert len(CASES) >= 20


def test_three_mistakes_are_all_reported_in_line_order(small_project: Path) -> None:
    text = PROGRAM.replace('  version: "1.0"', '  versoin: "1.0"').replace("      hours: 2\n", "      hours: two\n")
    text = text.replace("addresses: [busy]\n    summary", "addresses: [bussy]\n    summary")
    build_file_tree(small_project, {"program.yaml": text})
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    located = [line.split(": ")[0] for line in result.stderr.splitlines() if line.startswith("program.yaml:")]
    assert located == ["program.yaml:6:3", "program.yaml:93:14", "program.yaml:113:17"]
    assert result.stderr.rstrip().endswith("3 problems in program.yaml; nothing was written.")
    assert not (small_project / "build").exists()


def test_missing_program_file_names_it(tmp_path: Path) -> None:
    result = run_cli("check", "--project", tmp_path)
    assert result.exit_code == 2
    assert "no program.yaml in" in result.stderr
    assert "handbook init" in result.stderr


def test_byte_order_mark_is_accepted(small_project: Path) -> None:
    build_file_tree(small_project, {"program.yaml": b"\xef\xbb\xbf" + PROGRAM.encode()})
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 0, result.stderr
