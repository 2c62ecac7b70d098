"""Golden test: the small project renders to exactly the checked-in Markdown tree.

After an intended change to the templates, regenerate the goldens and review the diff:
    UPDATE_GOLDENS=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import SMALL

from handbook.commands.stage import load
from handbook.render.site import render_site

EXPECTED = SMALL.parent / "expected"


def test_small_project_renders_the_golden_markdown_tree() -> None:
    tree = render_site(load(SMALL))
    rendered = dict(tree.pages)
    rendered["_nav.txt"] = "\n".join(_nav_lines(tree.nav)) + "\n"
    if os.environ.get("UPDATE_GOLDENS"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for name, text in rendered.items():
            path = EXPECTED / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
    expected = {p.relative_to(EXPECTED).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(EXPECTED.rglob("*")) if p.is_file()}
    assert sorted(rendered) == sorted(expected), "pages added or removed; regenerate the goldens"
    for name in sorted(expected):
        assert rendered[name] == expected[name], f"{name} differs from the golden; see the module docstring"


def _nav_lines(nav: list, depth: int = 0) -> list[str]:
    lines = []
    for item in nav:
        for title, target in item.items():
            if isinstance(target, list):
                lines.append("  " * depth + title)
                lines += _nav_lines(target, depth + 1)
            else:
                lines.append("  " * depth + f"{title} -> {target}")
    return lines


def test_goldens_have_no_stray_files() -> None:
    assert (EXPECTED / "index.md").is_file()
    assert not list(Path(EXPECTED).rglob("*.html"))
