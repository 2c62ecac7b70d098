"""The field reference and the JSON Schema come from the model and stay in step with it."""

from __future__ import annotations

import json
import os

import jsonschema
import yaml
from conftest import ROOT, run_cli

from handbook.model import Program
from handbook.render.reference import reference_markdown

DOC = ROOT / "docs" / "reference.md"


def test_docs_reference_is_current() -> None:
    """Regenerate with: UPDATE_GOLDENS=1 python -m pytest tests/test_reference.py"""
    text = reference_markdown()
    if os.environ.get("UPDATE_GOLDENS"):
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text


def test_reference_describes_every_field() -> None:
    text = reference_markdown()
    for name in ("ProgramInfo", "Guidelines", "Playbook", "Closure", "Matching"):
        assert f"## {name}" in text
    for model in (Program, *[]):
        for field in model.model_fields:
            assert f"`{field}`" in text


def example_as_editors_see_it() -> dict:
    """Return the example program as JSON data: dates as text, as an editor's YAML server sees them."""
    data = yaml.safe_load((ROOT / "program.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def test_schema_command_prints_a_schema_that_validates_the_example() -> None:
    result = run_cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.validate(example_as_editors_see_it(), schema)


def test_schema_rejects_a_typo_and_describes_every_property() -> None:
    schema = json.loads(run_cli("schema").stdout)
    example = example_as_editors_see_it()
    example["program"]["versoin"] = example["program"].pop("version")
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(example))
    assert any("versoin" in e.message for e in errors)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                assert prop.get("description") or "$ref" in prop or "allOf" in prop, name
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)


def test_example_schema_file_is_current() -> None:
    """The example's program.schema.json is what `handbook schema` prints."""
    assert json.loads((ROOT / "program.schema.json").read_text(encoding="utf-8")) == json.loads(run_cli("schema").stdout)
