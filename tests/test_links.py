"""Links and nesting in Markdown are checked at load, so `check` refuses what `build` refuses; links in content/ stay inside."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SMALL, build_file_tree, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_inputs import CORPUS, lay_out

from handbook.commands.stage import load
from handbook.errors import InputError
from handbook.layout import Layout
from handbook.load.links import FIELD_FOLDERS, markdown_fields, markdown_problems
from handbook.load.project import (
    ContentPage,
    Loaded,
    load_content,
    read_program,
)
from handbook.load.validate import validate_program
from handbook.plan.pages import reserved_names, site_paths
from handbook.render.site import render_site


def _run(command: str, project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "handbook", command, "--project", "."], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("case", ["content-broken-link", "field-broken-link"])
def test_check_and_build_refuse_a_broken_link_alike(case: str, tmp_path: Path) -> None:
    lay_out(CORPUS / case, tmp_path / "check")
    lay_out(CORPUS / case, tmp_path / "build")
    checked, built = _run("check", tmp_path / "check"), _run("build", tmp_path / "build")
    assert (checked.returncode, built.returncode) == (2, 2), checked.stderr + built.stderr
    assert checked.stderr == built.stderr
    assert "leads to no page of the handbook" in checked.stderr
    assert not (tmp_path / "build" / "build").exists()


def test_valid_links_pass_and_only_the_broken_one_is_reported(small_project: Path) -> None:
    program = small_project / "program.yaml"
    text = program.read_text(encoding="utf-8")
    text = text.replace("    description: Busy schedules.\n",
                        "    description: Busy; see [rules](../guidelines.md#meetings), [this](busy.md) and\n"
                        "      [the playbook](../playbooks/allocate-time.md).\n")
    text = text.replace("    summary: Block time in calendars.\n",
                        "    summary: Block time; [web](https://example.org/x.md), [mail](mailto:a@example.org),\n"
                        "      [top](#steps), `[code](code.md)` and [a sibling](busy.md).\n")
    program.write_text(text, encoding="utf-8")
    build_file_tree(small_project, {
        "content/photo.png": b"\x89PNG",
        "content/more.md": "# More\n\n![photo](photo.png) [FAQ][faq] [module](training/listening.md?x#y)\n\n"
                           "!!! note\n    [in a note](goals.md)\n\n```\n[in code](nowhere.md)\n```\n\n"
                           "[faq]: faq.md\n",
    })
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    problems = [line for line in result.stderr.splitlines() if line.startswith("program.yaml:")]
    # A playbook's summary is shown on its challenges' pages too, where `busy.md` is a page but from
    # playbooks/ it is not.
    assert problems == ["program.yaml:116:56: playbooks[0].summary: the link to 'busy.md' leads to no page of the "
                        "handbook from playbooks/, where this text is shown too (did you mean '../challenges/busy.md'?)"]
    assert "content/" not in result.stderr


def test_reference_style_link_is_located_at_its_definition(small_project: Path) -> None:
    build_file_tree(small_project, {"content/more.md": "---\ntitle: More\n---\n\nSee [the rules][r].\n\n[r]: rulez.md\n"})
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    assert result.stderr.startswith("content/more.md:7:6: the link to 'rulez.md' leads to no page of the handbook")


def test_blockquotes_nested_too_deep_in_a_content_page_are_refused_before_rendering(small_project: Path) -> None:
    build_file_tree(small_project, {"content/more.md": "# More\n\n" + "> " * 30 + "deep\n"})
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    assert result.stderr.startswith("content/more.md:3:1: quotes nested 30 deep; at most 20")


def test_folder_linked_inside_the_project_is_followed(small_project: Path) -> None:
    build_file_tree(small_project, {"pictures/photo.png": b"\x89PNG"})
    os.symlink("../pictures", small_project / "content" / "images")
    build_file_tree(small_project, {"content/more.md": "# More\n\n![photo](images/photo.png)\n"})
    loaded = load(small_project)
    assert [asset.name for asset in loaded.assets] == ["images/photo.png"]


@pytest.mark.parametrize("target, holds", [
    ("../build/private", "'build/private', which holds the build's output"),
    ("../.handbook", "'.handbook', which holds the generator's own files"),
    ("../roster.csv", "'roster.csv', which holds a roster"),
    ("..", "the project folder, which holds the cohort"),
])
def test_link_in_content_to_private_data_is_refused(small_project: Path, target: str, holds: str) -> None:
    program = small_project / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8") + "\ncohort: cohort.yaml\n", encoding="utf-8")
    build_file_tree(small_project, {"cohort.yaml": "participants: []\n", "roster.csv": "id,name,email\n",
                                    "build/private/match-report.html": "<p>names</p>", ".handbook/x": "state"})
    os.symlink(target, small_project / "content" / "linked")
    with pytest.raises(InputError) as caught:
        load_content(Layout(small_project.resolve()), reserved_names(), "cohort.yaml")
    [problem] = caught.value.problems
    assert problem.file == "content/linked"
    assert problem.message == f"is a link to {holds}" + problem.message.split(holds)[1]


def test_folder_link_into_itself_is_refused_without_hanging(small_project: Path) -> None:
    os.symlink("..", small_project / "content" / "loop")
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    assert "content/loop: is a link to a folder that holds the link itself" in result.stderr


def test_each_markdown_field_is_shown_in_the_folders_links_resolve_from(small_project: Path) -> None:
    """FIELD_FOLDERS says where the built-in templates show each Markdown field; check it against a render."""
    layout = Layout(small_project.resolve())
    source = read_program(layout)
    fields = list(markdown_fields(source.data))
    assert len(fields) >= 15
    text = source.text
    for number, (path, value) in enumerate(fields):
        line, column = source.position(path)
        index = sum(len(row) for row in text.splitlines(keepends=True)[:line - 1]) + column - 1
        assert text[index:index + len(value)] == value, path  # one-line values in the small project
        text = text[:index] + f"marker{number:03d}" + text[index + len(value):]
    program = validate_program(read_program(Layout(build_file_tree(small_project, {"program.yaml": text}))))
    tree = render_site(Loaded(layout, program, (), ()))
    for number, (path, _value) in enumerate(fields):
        shown = {page.rpartition("/")[0] for page, body in tree.pages.items() if f"marker{number:03d}" in body}
        assert shown == set(FIELD_FOLDERS.get(str(path[0]), ("",))), path


SMALL_SOURCE = read_program(Layout(SMALL))
SMALL_PROGRAM = validate_program(SMALL_SOURCE)
MARKDOWN = st.lists(st.sampled_from(["- ", "> ", "1. ", "    ", "\n", "[a]", "(b.md)", "[c]: ", "d.md", "<", "/",
                                     "!!! note\n", "*", "`", "#", "x", " ", "\t", "](", "../", "training/"]),
                    max_size=400).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN)
def test_any_markdown_page_is_read_or_refused_located_never_crashes(text: str) -> None:
    page = ContentPage("more.md", "More", text, "end", 100, 4)
    for problem in markdown_problems(SMALL_SOURCE, SMALL_PROGRAM, [page], [], site_paths=site_paths):
        assert problem.file == "content/more.md" and problem.line >= 4 and problem.column >= 1
