"""Incremental builds: nothing changed means nothing done; any change to inputs or outputs rebuilds."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

from handbook.commands.build import build


def test_a_second_build_with_nothing_changed_does_nothing(small_project: Path) -> None:
    first = build(small_project)
    assert not first.skipped
    second = build(small_project)
    assert second.skipped and second.pages == first.pages
    result = run_cli("build", "--project", small_project)
    assert result.exit_code == 0 and "build/ is up to date" in result.stdout


def test_changed_inputs_or_touched_outputs_rebuild(small_project: Path) -> None:
    build(small_project)
    page = small_project / "content" / "faq.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more answer.\n", encoding="utf-8")
    assert not build(small_project).skipped
    (small_project / "build" / "site" / "faq.html").unlink()
    assert not build(small_project).skipped
    assert (small_project / "build" / "site" / "faq.html").is_file()
    assert not build(small_project, force=True).skipped


def test_a_new_template_override_rebuilds(small_project: Path) -> None:
    build(small_project)
    override = small_project / "templates" / "site" / "roles.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text("# Who is who\n", encoding="utf-8")
    assert not build(small_project).skipped
    assert "Who is who" in (small_project / "build" / "site" / "roles.html").read_text(encoding="utf-8")
