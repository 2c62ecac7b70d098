"""The JSON Schema of program.yaml, for editors and other tools."""

from __future__ import annotations

from typing import Any

from .model import Program


def program_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of program.yaml, every field described."""
    schema = Program.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "program.schema.json",
        "title": "program.yaml of a handbook",
        **schema,
    }
