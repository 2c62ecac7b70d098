"""The field reference of program.yaml, generated from the model's fields and descriptions."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from handbook.model import Program


@dataclass(frozen=True)
class FieldRow:
    """One key of a section: its name, type in words, whether required, default and description."""

    key: str
    kind: str
    required: bool
    default: str
    description: str


@dataclass(frozen=True)
class Section:
    """One mapping in program.yaml, such as `guidelines.meetings`, with its keys."""

    path: str
    title: str
    description: str
    rows: tuple[FieldRow, ...]


def _kind(annotation: Any, info: FieldInfo | None = None) -> str:
    """Return the type of a field in a coordinator's words."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        base, *meta = args
        for m in meta:
            pattern = getattr(m, "pattern", None)
            if pattern and pattern.startswith("^[a-z0-9]+(?:-"):
                return "id"
            if pattern and "@" in pattern:
                return "email"
        return _kind(base)
    if info is not None and info.metadata:
        for m in info.metadata:
            pattern = getattr(m, "pattern", None)
            if pattern and pattern.startswith("^[a-z0-9]+(?:-"):
                return "id"
    if origin in (typing.Union, types.UnionType):
        kinds = [_kind(a) for a in args if a is not type(None)]
        return " or ".join(kinds)
    if origin is tuple:
        return f"list of {_kind(args[0])}"
    if origin is typing.Literal:
        if len(args) > 12:  # e.g. `monthly`'s 36 days: the description says how they are made
            return f"one of {len(args)} values: `{args[0]}`, `{args[1]}`, … `{args[-1]}`"
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {str: "text", int: "whole number", float: "number", bool: "true/false",
            dt.date: "date (YYYY-MM-DD)"}.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _models(a)]


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return ""
    if info.default_factory is not None:
        return ""
    value = info.default
    if value is None or value is PydanticUndefined:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if value == ():
        return "empty list"
    return str(value)


def reference_sections(root: type[BaseModel] = Program) -> list[Section]:
    """Return one section per model reachable from `root`, in the order a reader meets them."""
    sections: list[Section] = []
    seen: set[type[BaseModel]] = set()
    queue: list[tuple[str, type[BaseModel]]] = [("", root)]
    while queue:
        path, model = queue.pop(0)
        if model in seen:
            continue
        seen.add(model)
        rows = []
        for name, info in model.model_fields.items():
            rows.append(FieldRow(name, _kind(info.annotation, info), info.is_required(), _default(info),
                                 info.description or ""))
            for child in _models(info.annotation):
                child_path = f"{path}.{name}" if path else name
                if typing.get_origin(info.annotation) is tuple:
                    child_path += "[]"
                queue.append((child_path, child))
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        sections.append(Section(path or "(top level)", model.__name__, doc, tuple(rows)))
    return sections


def reference_markdown() -> str:
    """Return the field reference as Markdown, as the site's reference page shows it."""
    from handbook.render.templating import environment, render

    return render(environment("site", None), "reference.md.j2", None, sections=reference_sections())
