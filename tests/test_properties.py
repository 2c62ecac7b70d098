"""Property tests: any YAML, and any mutation of the example, loads as a program or fails with located problems."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook.errors import InputError
from handbook.load.validate import validate_program
from handbook.load.yamlsource import load_yaml
from handbook.model import Program

EXAMPLE_TEXT = (ROOT / "program.yaml").read_text(encoding="utf-8")
EXAMPLE = yaml.safe_load(EXAMPLE_TEXT)
SETTINGS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)


def dump(data: Any) -> str:
    """Return YAML text for plain data (libyaml's emitter: fast enough for thousands of examples)."""
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)


def load_and_validate(text: str | bytes) -> Program | InputError:
    """Return the program, or the InputError; any other exception fails the test."""
    try:
        return validate_program(load_yaml(text, "program.yaml"))
    except InputError as exc:
        assert exc.problems, "an InputError without problems"
        for problem in exc.problems:
            assert problem.file == "program.yaml"
            assert problem.line >= 1, problem
            assert problem.message
        assert exc.format().endswith("nothing was written.")
        return exc


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=30), st.dates())
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                         max_leaves=20)


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_loads_or_fails_located(text: str) -> None:
    load_and_validate(text)


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_load_or_fail_located(raw: bytes) -> None:
    load_and_validate(raw)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(documents)
def test_any_yaml_document_loads_or_fails_located(data: Any) -> None:
    load_and_validate(dump(data))


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Return every path into a plain-data tree."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, prefix + (index,))
    return found


EXAMPLE_PATHS = [p for p in paths(EXAMPLE) if p]
replacements = st.one_of(scalars, st.just([]), st.just({}), st.just(["x"]), st.just({"x": 1}),
                         st.just(dt.date(2026, 1, 1)), st.text(alphabet="abc-", min_size=1, max_size=8))


@st.composite
def mutations(draw: st.DrawFn) -> dict:
    data = copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(EXAMPLE_PATHS))
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            key = path[-1]
            current = parent[key]
        except (KeyError, IndexError, TypeError):
            continue
        kind = draw(st.sampled_from(["replace", "rename", "drop", "duplicate"]))
        if kind == "replace":
            parent[key] = draw(replacements)
        elif kind == "rename" and isinstance(parent, dict):
            parent[draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))] = parent.pop(key)
        elif kind == "drop":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif kind == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(current))
    return data


@settings(max_examples=1000, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_mutations_of_the_example_load_or_fail_located(data: dict) -> None:
    load_and_validate(dump(data))


def test_the_unmutated_example_is_valid() -> None:
    assert isinstance(load_and_validate(EXAMPLE_TEXT), Program)
