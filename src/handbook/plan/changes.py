"""What changed between two versions of a program, section by section: pure, from two validated programs.

Items of a list with ids are compared by id (a moved item is not a change, a renamed id is one
removed and one added); other lists item by item. Every value counts, text or not, defaults
included: a value newly written as its default is no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Literal

from handbook.model import Program

Kind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Change:
    """One difference: in which section, what kind, where in it (`limits[harm].description`), the values."""

    section: str  # a top-level key of program.yaml, e.g. `confidentiality`
    kind: Kind
    path: str  # from the section on: `confidentiality.limits[harm].description`
    old: Any = None
    new: Any = None


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """Return the items by id when every item is a mapping with a text id, else None."""
    if items and all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in items):
        keyed = {item["id"]: item for item in items}
        return keyed if len(keyed) == len(items) else None
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _diff(old: Any, new: Any, path: str) -> Iterator[tuple[Kind, str, Any, Any]]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            if key not in new:
                yield "removed", _join(path, key), old[key], None
            elif key not in old:
                yield "added", _join(path, key), None, new[key]
            else:
                yield from _diff(old[key], new[key], _join(path, key))
        return
    if isinstance(old, list) and isinstance(new, list):
        before, after = _keyed(old), _keyed(new)
        if before is not None and after is not None:
            for ident in list(before) + [i for i in after if i not in before]:
                here = f"{path}[{ident}]"
                if ident not in after:
                    yield "removed", here, before[ident], None
                elif ident not in before:
                    yield "added", here, None, after[ident]
                else:
                    yield from _diff(before[ident], after[ident], here)
            return
        for index in range(max(len(old), len(new))):
            here = f"{path}[{index}]"
            if index >= len(new):
                yield "removed", here, old[index], None
            elif index >= len(old):
                yield "added", here, None, new[index]
            else:
                yield from _diff(old[index], new[index], here)
        return
    yield "changed", path, old, new


def program_changes(old: Program, new: Program) -> list[Change]:
    """Return every difference from `old` to `new`, in the order of program.yaml's sections."""
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    found = []
    for section in Program.model_fields:
        for kind, path, was, now in _diff(before.get(section), after.get(section), section):
            found.append(Change(section, kind, path, was, now))
    return found
