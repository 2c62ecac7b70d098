"""`handbook init DIR`: a new program that builds as it is, or a copy of the full example."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from handbook.errors import HandbookError
from handbook.model import program_schema

PACKAGE = Path(__file__).parents[1]
SKELETON = PACKAGE / "skeleton"
EXAMPLE = PACKAGE / "example"


def init_project(target: Path, *, example: bool = False) -> list[Path]:
    """Create a new project in `target` (which must be empty or absent); return the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise HandbookError(f"{target} is not empty; nothing was written",
                            hint="choose a new folder, e.g. `handbook init my-program`")
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def copy(source: Path, name: str) -> None:
        destination = target / name
        if source.is_dir():
            shutil.copytree(source, destination)  # follows the example's links to the real files
            written.extend(p for p in sorted(destination.rglob("*")) if p.is_file())
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            written.append(destination)

    if example:
        for source in sorted(EXAMPLE.iterdir()):
            copy(source, source.name)
    else:
        copy(SKELETON / "program.yaml", "program.yaml")
        copy(SKELETON / "mkdocs.yml", "mkdocs.yml")
        copy(SKELETON / "content", "content")
        copy(SKELETON / "templates", "templates")
    copy(SKELETON / "gitignore", ".gitignore")
    schema = target / "program.schema.json"
    schema.write_text(json.dumps(program_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if schema not in written:
        written.append(schema)
    return written
