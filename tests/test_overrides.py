"""A project's templates/ and content/ change the site without copying anything else."""

from __future__ import annotations

from pathlib import Path

from conftest import build_file_tree, run_cli

from handbook.commands.stage import load
from handbook.render.site import render_site


def test_project_template_overrides_the_package_template_by_name(small_project: Path) -> None:
    build_file_tree(small_project, {"templates/site/roles.md.j2":
                                    "# Who is who\n\n{% for role in program.overview.roles %}- {{ role.title }}\n"
                                    "{% endfor %}"})
    tree = render_site(load(small_project))
    assert tree.pages["roles.md"].endswith("---\n\n# Who is who\n\n- Peer partner\n- Coordinator\n")
    assert "\n# Goals\n" in tree.pages["goals.md"]  # the others stay the package's


def test_check_renders_templates_and_reports_their_errors(small_project: Path) -> None:
    build_file_tree(small_project, {"templates/site/goals.md.j2": "# Goals\n\n{{ program.goalz }}\n"})
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    assert result.stderr.startswith("templates/site/goals.md.j2:3: template error:")
    assert "goalz" in result.stderr


def test_content_page_placement_and_order(small_project: Path) -> None:
    build_file_tree(small_project, {
        "content/welcome.md": "---\ntitle: Welcome\nplacement: start\n---\nHello.\n",
        "content/zz-first.md": "---\norder: 1\n---\n# Early page\n",
    })
    nav = render_site(load(small_project)).nav
    titles = [next(iter(item)) for item in nav]
    assert titles[:2] == ["Overview", "Welcome"]
    assert titles.index("Early page") < titles.index("Questions") < titles.index("Reference: program.yaml")


def test_content_page_without_heading_gets_its_title(small_project: Path) -> None:
    build_file_tree(small_project, {"content/contacts.md": "---\ntitle: Contacts\n---\nWrite to us.\n"})
    assert render_site(load(small_project)).pages["contacts.md"].endswith("---\n\n# Contacts\n\nWrite to us.\n")


def test_raw_html_and_template_syntax_in_values_are_shown_as_written(small_project: Path) -> None:
    program = small_project / "program.yaml"
    text = program.read_text(encoding="utf-8")
    text = text.replace("title: Time constraints", "title: \"<script>alert(1)</script> {{ 7*7 }}\"")
    text = text.replace("description: Busy schedules.", "description: \"[click](javascript:alert(1)) <img src=x onerror=alert(1)>\"")
    program.write_text(text, encoding="utf-8")
    page = render_site(load(small_project)).pages["challenges/busy.md"]
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "\\{\\{ 7\\*7 \\}\\}" in page  # Markdown escapes: the reader sees {{ 7*7 }}
    assert "javascript:" not in page and "[click](#) " in page
    assert "<img" not in page
