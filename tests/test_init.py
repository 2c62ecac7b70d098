"""`handbook init`: a new program builds as it is; `--example` copies the full example."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml
from conftest import ROOT, run_cli


def test_new_program_builds_as_it_is(tmp_path: Path) -> None:
    target = tmp_path / "my-program"
    result = run_cli("init", target)
    assert result.exit_code == 0, result.stderr
    for name in ("program.yaml", "mkdocs.yml", "content/welcome.md", "templates/README.md", ".gitignore",
                 "program.schema.json"):
        assert (target / name).is_file(), name
    assert (target / "program.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=program.schema.json")
    build = run_cli("build", "--project", target)
    assert build.exit_code == 0, build.stderr
    assert (target / "build" / "site" / "index.html").is_file()
    assert "Welcome" in (target / "build" / "site" / "welcome.html").read_text(encoding="utf-8")


def test_new_program_validates_against_its_schema(tmp_path: Path) -> None:
    target = tmp_path / "p"
    run_cli("init", target)
    schema = json.loads((target / "program.schema.json").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(yaml.safe_load((target / "program.yaml").read_text(encoding="utf-8")), default=str))
    jsonschema.validate(data, schema)


def test_example_copy_is_the_repository_example(tmp_path: Path) -> None:
    target = tmp_path / "example"
    assert run_cli("init", target, "--example").exit_code == 0
    for name in ("program.yaml", "cohort.yaml", "roster.csv", "mkdocs.yml", "content/faq.md"):
        assert (target / name).read_bytes() == (ROOT / name).read_bytes(), name
        assert not (target / name).is_symlink()
    assert run_cli("check", "--project", target).exit_code == 0


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("init", tmp_path)
    assert result.exit_code == 1
    assert "is not empty; nothing was written" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
