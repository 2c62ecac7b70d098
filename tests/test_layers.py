"""The package's rooms follow the data flow: a module imports only its own room and rooms before it."""

from __future__ import annotations

import ast
from pathlib import Path

import handbook

PACKAGE = Path(handbook.__file__).parent
ROOMS = ("errors", "model", "layout", "i18n", "load", "plan", "render", "output", "commands")
ADAPTER_LIBRARIES = {"mkdocs": "output", "weasyprint": "output", "pydyf": "output", "click": "commands"}


def _room(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "handbook" or len(parts) < 2:
        return None
    return ROOMS.index(parts[1]) if parts[1] in ROOMS else None


def _imports(path: Path) -> list[tuple[int, str]]:
    """Return (line, module) of every import in `path`, at any depth (lazy imports count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "handbook":
                found += [(node.lineno, f"handbook.{alias.name}") for alias in node.names]
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] in ("example", "skeleton", "__init__", "__main__"):
            continue
        out.append((".".join(("handbook",) + parts), path))
    return out


def test_every_module_lives_in_a_room() -> None:
    strays = [name for name, _ in _modules() if _room(name) is None]
    assert not strays, f"modules outside the rooms {ROOMS}: {strays}"


def test_no_module_imports_a_later_room() -> None:
    upward = []
    for name, path in _modules():
        own = _room(name)
        for line, module in _imports(path):
            target = _room(module)
            if target is not None and own is not None and target > own:
                upward.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert not upward, "imports against the flow:\n" + "\n".join(upward)


def test_adapter_libraries_are_imported_only_by_their_room() -> None:
    wrong = []
    for name, path in _modules():
        room = ROOMS[_room(name) or 0]
        for line, module in _imports(path):
            library = module.split(".")[0]
            if library in ADAPTER_LIBRARIES and ADAPTER_LIBRARIES[library] != room:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_every_room_says_what_it_holds_and_may_import() -> None:
    for room in ROOMS[4:]:  # errors, model, layout and i18n are single modules
        doc = ast.get_docstring(ast.parse((PACKAGE / room / "__init__.py").read_text()))
        assert doc and "May import" in doc, room


def test_only_one_module_imports_weasyprint() -> None:
    importers = sorted({str(path.relative_to(PACKAGE)) for _, path in _modules() for _, module in _imports(path)
                        if module.split(".")[0] in ("weasyprint", "pydyf")})
    assert importers == ["output/pdf/weasy.py"]


def test_the_stage_every_build_runs_imports_no_numerical_library() -> None:
    # numpy starts threads when imported, and a build forks its PDF workers only while it runs one
    # thread (otherwise it spawns them, slower, and its workers outlive a killed build differently).
    # Only `handbook match` needs the matcher's numpy.
    import subprocess
    import sys

    code = "import sys, handbook.commands.build, handbook.commands.stage; print(sorted({'numpy', 'rustworkx'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
