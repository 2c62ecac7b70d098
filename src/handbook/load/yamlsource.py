"""Read YAML with positions: plain data plus the line and column of every key and value.

Safe loading only. Rejects duplicate keys at any depth (PyYAML keeps the last silently),
tabs used as indentation, bytes that are not UTF-8, nesting deeper than `MAX_DEPTH`, and
documents whose aliases expand beyond `MAX_NODES` values (the "billion laughs").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from handbook.errors import InputError, Problem

try:  # libyaml is much faster on large files; the pure-Python loader behaves the same.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_BYTES = 5 * 1024 * 1024

Path = tuple[Any, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Source:
    """A YAML document read from a file: its data, its lines, and where each path is."""

    name: str
    text: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(repr=False)
    keys: dict[Path, tuple[int, int]] = field(repr=False)

    def line(self, number: int) -> str:
        """Return line `number` (1-based) of the file, or an empty string."""
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Return (line, column) of `path`, falling back to its nearest located ancestor."""
        path = tuple(path)
        while True:
            table = self.keys if key else self.values
            if path in table:
                return table[path]
            if key and path in self.values:
                return self.values[path]
            if not path:
                return (1, 1)
            path = path[:-1]
            key = False

    def problem(self, path: Path, message: str, hint: str = "", *, key: bool = False) -> Problem:
        """Return a problem located at `path`, showing the offending line."""
        line, column = self.position(path, key=key)
        return Problem(self.name, line, column, message, format_path(path), hint, self.line(line))


def format_path(path: Path) -> str:
    """Return a path like `goals[2].measures[0].target`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def decode(raw: bytes, name: str) -> str:
    """Decode UTF-8 bytes (a BOM is allowed) or raise an InputError at the first bad byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        shown = raw.splitlines()[line - 1].decode("utf-8", "replace") if raw.splitlines() else ""
        raise InputError([
            Problem(name, line, column, f"byte {raw[exc.start]:#04x} is not valid UTF-8",
                    hint="save the file as UTF-8 (most editors: File > Save with encoding > UTF-8)",
                    source_line=shown)
        ]) from None


def load_yaml(raw: bytes | str, name: str) -> Source:
    """Parse one YAML document into plain data with positions, or raise InputError."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise InputError([Problem(name, 0, 0, f"file is {len(raw) // 1024 // 1024} MB; "
                                      f"the largest accepted is {MAX_BYTES // 1024 // 1024} MB",
                                      hint="is this the right file?")])
        text = decode(raw, name)
    else:
        text = raw.lstrip("\ufeff")
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise InputError([Problem(name, 1, 1, "the file is empty",
                                  hint="start from the example: `handbook init --example DIR`")])
    _check_structure(text, name)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(exc, text, name)]) from None
    builder = _Builder(name, text)
    data = builder.build(node, ())
    if builder.problems:
        raise InputError(builder.problems)
    return Source(name, text, data, builder.values, builder.keys)


def check_syntax(raw: bytes, name: str) -> None:
    """Raise InputError if `raw` is not well-formed YAML; tags (e.g. `!!python/name`) are not resolved."""
    _check_structure(decode(raw, name), name)


def _check_structure(text: str, name: str) -> None:
    """Scan the event stream (iterative, cheap) for too-deep nesting and many documents."""
    depth = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise InputError([Problem(name, mark.line + 1, mark.column + 1,
                                              f"nesting is deeper than {MAX_DEPTH} levels",
                                              hint="a program needs only a few levels; check the indentation",
                                              source_line=_line(text, mark.line + 1))])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    raise InputError([Problem(name, mark.line + 1, mark.column + 1,
                                              "the file holds more than one YAML document",
                                              hint="remove the `---` line; one file holds one program",
                                              source_line=_line(text, mark.line + 1))])
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(exc, text, name)]) from None


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _unclosed_quote(text: str, first: int, last: int) -> int:
    """Return the 1-based line, between 0-based `first` and `last`, whose double quotes do not pair up."""
    lines = text.splitlines()
    for number in range(first, min(last, len(lines) - 1) + 1):
        line = lines[number].split(" #")[0].replace('\\"', "")
        if line.count('"') % 2 == 1:
            return number + 1
    return 0


def _syntax_problem(exc: yaml.YAMLError, text: str, name: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Problem(name, line, column, f"the control character {ord(char):#06x} is not allowed in YAML",
                       hint="remove it; it often comes from text copied out of another program",
                       source_line=_line(text, line).replace(char, "?"))
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    unclosed_flow = "expected ',' or ']'" in problem or "expected ',' or '}'" in problem
    if mark and context and (mark.line >= len(text.splitlines()) or unclosed_flow):
        # Reported at the end of the file or past an unclosed bracket: the cause is where it began.
        mark = context
    quote_line = _unclosed_quote(text, context.line if context else 0, mark.line if mark else 0)
    if quote_line and "quote" not in problem and not unclosed_flow:
        problem_mark = mark
        mark = type(problem_mark)(problem_mark.name, 0, quote_line - 1, text.splitlines()[quote_line - 1].find('"'),
                                  None, None)
        problem = "a quoted text is not closed"
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    source = _line(text, line)
    if context and context.line + 1 != line and getattr(exc, "context", None) and not quote_line:
        problem += f" ({exc.context} started on line {context.line + 1})"
    hint = "check the indentation and the `key: value` form on this line and the one before"
    if "\t" in source[: max(column, 1)] or "'\\t'" in problem:
        problem = "a tab character is used for indentation"
        hint = "YAML indents with spaces only; replace the tab with spaces"
        column = source.find("\t") + 1 if "\t" in source else column
    elif "found character '%'" in problem or "cannot start any token" in problem:
        hint = "text starting with this character needs quotes, e.g. title: \"@ work\""
    elif "mapping values are not allowed" in problem:
        problem = "a colon followed by a space inside a value"
        hint = "put the value in quotes, e.g. title: \"Goal: learn\", or fix the indentation"
    elif "could not find expected ':'" in problem:
        hint = "each line in a mapping needs `key: value`; a long text may need quotes or `>`"
    elif "expected <block end>" in problem:
        problem = "the indentation does not line up with the lines above"
        hint = "keys of one mapping start in the same column; list items start with `- `"
    elif unclosed_flow:
        problem = "a `[` or `{` opened here is not closed"
        hint = "close it on the same line, or put text with commas or colons in quotes"
    elif quote_line:
        hint = "add the closing \" at the end of the text"
    elif "found undefined alias" in problem:
        hint = "an `*alias` must refer to an `&anchor` defined above it"
    elif "found unexpected end of stream" in problem or "found unexpected end" in problem:
        hint = "a quote or bracket is not closed"
    return Problem(name, line, column, f"YAML syntax: {problem}", hint=hint, source_line=source)


class _Builder:
    """Turns a composed node tree into plain data, recording positions and problems."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.values: dict[Path, tuple[int, int]] = {}
        self.keys: dict[Path, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used

    def _pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            line, column = self._pos(node)
            self.problems.append(Problem(self.name, line, column,
                                         f"the document expands to more than {MAX_NODES:,} values",
                                         hint="aliases (`*name`) repeat whole subtrees; use fewer of them",
                                         source_line=_line(self.text, line)))
            raise InputError(self.problems)
        self.values.setdefault(path, self._pos(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            line, column = self._pos(node)
            self.problems.append(Problem(self.name, line, column, f"cannot read value {node.value!r}: {exc}",
                                         format_path(path), "put the value in quotes to keep it as text",
                                         _line(self.text, line)))
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    value = self.build(source, path)
                    if isinstance(value, dict):
                        for k, v in value.items():
                            merged.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line, column = self._pos(key_node)
                self.problems.append(Problem(self.name, line, column, "a key must be plain text",
                                             format_path(path), "write `key: value`", _line(self.text, line)))
                continue
            key = self.constructor.construct_object(key_node)
            key = key if isinstance(key, (str, int)) and not isinstance(key, bool) else str(key_node.value)
            line, column = self._pos(key_node)
            if key in seen:
                self.problems.append(Problem(
                    self.name, line, column, f"duplicate key {key!r} (first defined on line {seen[key]})",
                    format_path(path + (key,)),
                    "YAML keeps only the last of duplicate keys; merge them or rename one",
                    _line(self.text, line)))
                continue
            seen[key] = line
            self.keys[path + (key,)] = (line, column)
            result[key] = self.build(value_node, path + (key,))
        for k, v in merged.items():
            result.setdefault(k, v)
        return result
