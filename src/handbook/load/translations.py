"""Translations of the program's own text: `program.<language>.yaml` beside program.yaml.

A program published in several languages (`program.languages: [en, de]`, the first is the source)
has one translation file per further language. It has program.yaml's shape and holds only its
texts (the fields typed `Text`/`LongText` in the model, and lists of them):

- a list whose items have an `id` is matched by id (each translated item carries its `id`);
  other lists by position (`~` leaves one position untranslated);
- a key that is not text (`week: 4`) is ignored when it equals program.yaml's value and refused
  otherwise; anything program.yaml does not have is refused, located, with a did-you-mean;
- a text left out, left empty or equal to its source text is not translated: the source text
  stands in for it, and the build and `check` say how many did; a text that is the same in both
  languages on purpose (a name, `90 %`) says so with its mark: `# same 3fa2c1`;
- a text may end its first line with a mark, `# source 3fa2c1`: the first six hex digits of
  the SHA-256 of the source text it translates. When that text changes, the translation is
  listed as stale, with the mark it should get once updated. `handbook translate` writes the marks.

`read_translations` returns each language's translated `Program` (its `program.language` is that
language) with what was translated, missing and stale, or the problems of the files.
"""

from __future__ import annotations

import hashlib
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional, Union

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from handbook import i18n
from handbook.errors import InputError, Problem, did_you_mean
from handbook.i18n import _, ngettext
from handbook.layout import PROGRAM_FILE, Layout
from handbook.load.validate import describe
from handbook.load.yamlsource import Source, load_yaml
from handbook.model import LANGUAGE_PATTERN, TRANSLATED, Program

MARK = re.compile(r"#\s*(source|same)\s+([0-9a-fA-F]{6})\s*$")
MARK_LENGTH = 6


def mark(text: str) -> str:
    """Return the mark of a source text: the first six hex digits of the SHA-256 of its UTF-8 bytes, stripped."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:MARK_LENGTH]


@dataclass(frozen=True)
class ItemId:
    """The key of an item of a list whose items have ids: `goals[grow-leaders]`."""

    value: str


Key = Union[str, int, ItemId]


def shown(path: tuple[Key, ...]) -> str:
    """Return a path as people read it: `goals[grow-leaders].title`, `guidelines.agenda[2]`."""
    out = ""
    for part in path:
        if isinstance(part, ItemId):
            out += f"[{part.value}]"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass(frozen=True)
class Entry:
    """One text of the source program: where it is (by id and by position) and what it says."""

    path: tuple[Key, ...]  # items of id lists by id: the same in every language's file
    raw: tuple[Union[str, int], ...]  # by position, as in program.yaml (for its line)
    text: str


def _kind(annotation: Any, metadata: tuple[Any, ...] = ()) -> tuple[str, Any]:
    """Return what a field holds for translation: text, texts, model, models (with the model), or other."""
    if TRANSLATED in metadata:
        return "text", None
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _kind(base, tuple(extra))
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _kind(args[0]) if len(args) == 1 else ("other", None)
    if origin in (tuple, list):
        inner, inner_model = _kind(typing.get_args(annotation)[0])
        if inner == "text":
            return "texts", None
        if inner == "model":
            return "models", inner_model
        return "other", None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    return "other", None


def field_kind(field: FieldInfo) -> tuple[str, Any]:
    """Return what a model's field holds for translation (see `_kind`): `text`, `texts`, `model`, `models`, `other`."""
    return _kind(field.annotation, tuple(field.metadata))


def source_texts(model: BaseModel, path: tuple[Key, ...] = (), raw: tuple[Union[str, int], ...] = ()
                 ) -> Iterator[Entry]:
    """Yield every text of `model` (a Program, or a part of one), in the order of the model's fields."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None:
            continue
        kind, inner = field_kind(field)
        if kind == "text":
            yield Entry(path + (name,), raw + (name,), value)
        elif kind == "texts":
            for i, text in enumerate(value):
                yield Entry(path + (name, i), raw + (name, i), text)
        elif kind == "model":
            yield from source_texts(value, path + (name,), raw + (name,))
        elif kind == "models":
            keyed = "id" in inner.model_fields
            for i, item in enumerate(value):
                yield from source_texts(item, path + (name, ItemId(item.id) if keyed else i), raw + (name, i))


@dataclass(frozen=True)
class Translated:
    """One translated text: the text, where it is in the translation file, and its mark (None: no mark)."""

    text: str
    where: tuple[Any, ...]  # its path in the translation file
    mark: Optional[str]
    same: bool = False  # the same as the source on purpose (`# same 3fa2c1`): a name, a number


@dataclass(frozen=True)
class Translation:
    """A language's translation of the program: the translated program and what is translated, missing, stale."""

    language: str
    file: str  # program.de.yaml
    program: Program  # the program in this language: translated texts, the source's where missing
    entries: tuple[Entry, ...]  # every text of the source program
    texts: dict[tuple[Key, ...], Translated]  # by entry path: the texts this file translates
    source: Optional[Source] = None  # the file as read (None when there is no file yet)
    origin: Optional[Source] = None  # program.yaml as read, for the lines of the source texts

    @property
    def missing(self) -> tuple[Entry, ...]:
        """Return the source texts this language has no translation of (they fall back to the source)."""
        return tuple(e for e in self.entries if e.path not in self.texts)

    @property
    def stale(self) -> tuple[Entry, ...]:
        """Return the source texts that changed after they were translated (their mark differs)."""
        return tuple(e for e in self.entries if e.path in self.texts and self.texts[e.path].mark is not None
                     and self.texts[e.path].mark != mark(e.text))

    @property
    def unmarked(self) -> tuple[Entry, ...]:
        """Return the translated texts without a mark: nobody can tell whether they are stale."""
        return tuple(e for e in self.entries if e.path in self.texts and self.texts[e.path].mark is None)

    def line(self, entry: Entry) -> int:
        """Return the line of this entry's translation in the file (0 when it has none)."""
        found = self.texts.get(entry.path)
        if found is None or self.source is None:
            return 0
        return self.source.position(found.where)[0]

    def source_line(self, entry: Entry) -> int:
        """Return the line of this entry's source text in program.yaml (0 when unknown)."""
        return self.origin.position(entry.raw)[0] if self.origin is not None else 0


class _Reader:
    """Walks a translation file beside the source program, collecting texts and problems."""

    def __init__(self, source: Source, program: Program) -> None:
        self.source = source
        self.program = program
        self.texts: dict[tuple[Key, ...], Translated] = {}
        self.places: dict[tuple[Union[str, int], ...], tuple[Any, ...]] = {}  # source raw path -> file path
        self.by_raw: dict[tuple[Union[str, int], ...], str] = {}  # source raw path -> translated text
        self.problems: list[Problem] = []

    def problem(self, where: tuple[Any, ...], message: str, hint: str = "", *, key: bool = False) -> None:
        self.problems.append(self.source.problem(where, message, hint, key=key))

    def model(self, cls: type[BaseModel], current: BaseModel, node: Any, where: tuple[Any, ...],
              path: tuple[Key, ...], raw: tuple[Union[str, int], ...]) -> None:
        if not isinstance(node, dict):
            self.problem(where, f"expected the texts of `{shown(path) or 'program.yaml'}` as keys and values, "
                                f"got {describe(node)}", "give it program.yaml's shape, with only the texts")
            return
        for key, value in node.items():
            here = where + (key,)
            field = cls.model_fields.get(key) if isinstance(key, str) else None
            if field is None:
                self.problem(here, f"unknown key {key!r}{did_you_mean(str(key), cls.model_fields)}: program.yaml "
                             f"has no `{shown(path + (str(key),))}`", "remove it, or write the key as in program.yaml",
                             key=True)
                continue
            if value is None:
                continue  # left untranslated
            kind, inner = field_kind(field)
            current_value = getattr(current, key)
            if kind == "other":
                self.same(field, value, current_value, here, path + (key,))
            elif current_value is None:
                self.problem(here, f"program.yaml gives no `{shown(path + (key,))}` to translate",
                             "remove it here, or write it in program.yaml first", key=True)
            elif kind == "text":
                self.text(value, here, path + (key,), raw + (key,), current_value)
            elif kind == "texts":
                for i, item in self.listed(value, here, current_value):
                    self.text(item, here + (i,), path + (key, i), raw + (key, i), current_value[i])
            elif kind == "model":
                self.model(inner, current_value, value, here, path + (key,), raw + (key,))
            elif "id" in inner.model_fields:
                self.by_id(inner, current_value, value, here, path + (key,), raw + (key,))
            else:
                for i, item in self.listed(value, here, current_value):
                    self.model(inner, current_value[i], item, here + (i,), path + (key, i), raw + (key, i))

    def listed(self, value: Any, where: tuple[Any, ...], current: tuple[Any, ...]) -> Iterator[tuple[int, Any]]:
        """Yield the translated positions of a list matched by position."""
        if not isinstance(value, list):
            self.problem(where, f"expected a list, got {describe(value)}", "translate the items in program.yaml's order")
            return
        for i, item in enumerate(value):
            if item is None:
                continue
            if i >= len(current):
                self.problem(where + (i,), f"program.yaml has {len(current)} items here, this list {len(value)}",
                             "lists without ids are translated item by item, in program.yaml's order: remove the "
                             "items from here on")
                return
            yield i, item

    def by_id(self, cls: type[BaseModel], current: tuple[Any, ...], value: Any, where: tuple[Any, ...],
              path: tuple[Key, ...], raw: tuple[Union[str, int], ...]) -> None:
        if not isinstance(value, list):
            self.problem(where, f"expected a list, got {describe(value)}", "list the items you translate, each with its `id`")
            return
        index = {item.id: i for i, item in enumerate(current)}
        seen: set[str] = set()
        for i, item in enumerate(value):
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, str):
                self.problem(where + (i,), "expected the `id` of the item this translates",
                             f"for example `- id: {current[0].id}`" if current else "")
                continue
            if ident not in index:
                self.problem(where + (i, "id"), f"program.yaml has no item with id {ident!r}{did_you_mean(ident, index)} "
                             f"in `{shown(path)}`", "ids here: " + ", ".join(list(index)[:8]) +
                             (", ..." if len(index) > 8 else ""))
                continue
            if ident in seen:
                self.problem(where + (i, "id"), f"id {ident!r} is translated twice", "keep one of them")
                continue
            seen.add(ident)
            n = index[ident]
            self.model(cls, current[n], item, where + (i,), path + (ItemId(ident),), raw + (n,))

    def text(self, value: Any, where: tuple[Any, ...], path: tuple[Key, ...], raw: tuple[Union[str, int], ...],
             current: str) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(where, f"expected text, got {describe(value)}", "write the translation as text")
            return
        text = value.strip()
        line = self.source.position(where)[0]
        found = MARK.search(self.source.line(line))
        if not text or (text == current.strip() and not (found and found.group(1) == "same")):
            return  # not translated: the source text stands (unless marked the same on purpose)
        self.texts[path] = Translated(text, where, found.group(2).lower() if found else None, bool(found) and
                                      found.group(1) == "same")
        self.places[raw] = where
        self.by_raw[raw] = text

    def same(self, field: FieldInfo, value: Any, current: Any, where: tuple[Any, ...], path: tuple[Key, ...]) -> None:
        """Accept a value that is not text when it is program.yaml's; refuse it otherwise."""
        try:
            equal = TypeAdapter(field.annotation).validate_python(value) == current
        except ValidationError:
            equal = False
        if not equal:
            self.problem(where, f"`{shown(path)}` is not text: it is the same in every language",
                         f"remove it: program.yaml's value ({describe(current)}) applies to every language")


def _apply(program: Program, language: str, reader: _Reader) -> Program:
    """Return the program with the translated texts in place and `language` as its language."""
    # What program.yaml sets, as it would read (lists as lists), with each translated text in its place
    data = program.model_dump(mode="json", exclude_unset=True)
    for raw, text in reader.by_raw.items():
        node = data
        for part in raw[:-1]:
            node = node.setdefault(part, {}) if isinstance(part, str) else node[part]  # a default left unset
        node[raw[-1]] = text
    data["program"]["language"] = language
    try:
        return Program.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            where = reader.places.get(tuple(error["loc"]), ())
            reader.problem(where, f"this translation does not fit: {error['msg']}",
                           "shorten it" if "at most" in error["msg"] else "")
        raise InputError(reader.problems) from None


def read_translation(layout: Layout, program: Program, language: str, origin: Optional[Source] = None) -> Translation:
    """Return one language's translation of `program` (all texts missing when there is no file), or raise InputError."""
    path = layout.translation(language)
    name = path.name
    entries = tuple(source_texts(program))
    source: Optional[Source] = None
    if not path.is_file():
        translated = program.model_copy(update={"program": program.program.model_copy(update={"language": language})})
        return Translation(language, name, translated, entries, {}, None, origin)
    source = load_yaml(path.read_bytes(), name)
    reader = _Reader(source, program)
    if source.data is not None:
        reader.model(Program, program, source.data, (), (), ())
    if reader.problems:
        raise InputError(reader.problems)
    translated = _apply(program, language, reader)
    return Translation(language, name, translated, entries, dict(reader.texts), source, origin)


def read_translations(layout: Layout, program: Program, origin: Optional[Source] = None
                      ) -> tuple[dict[str, Translation], list[Problem]]:
    """Return the translation of every further language of `program` (read from `origin`), and the problems
    of their files."""
    found: dict[str, Translation] = {}
    problems: list[Problem] = []
    for language in program.program.languages[1:]:
        try:
            found[language] = read_translation(layout, program, language, origin)
        except InputError as exc:
            problems += exc.problems
    return found, problems


def stray_translations(layout: Layout, program: Program) -> list[Problem]:
    """Return a problem for each program.<tag>.yaml whose language the program does not list."""
    listed = set(program.program.languages)
    problems = []
    for path in layout.translations():
        language = path.name.split(".", 1)[1].rpartition(".")[0]
        if re.fullmatch(LANGUAGE_PATTERN, language) and language not in listed:
            languages = ", ".join(program.program.languages) or program.program.language
            problems.append(Problem(path.name, 0, 0, f"the program does not list the language {language!r}, so "
                                    "nothing reads this translation",
                                    hint=f"add it to `program.languages` in {PROGRAM_FILE} (now: {languages}), or "
                                         "remove the file"))
    return problems


def translation_notes(translations: Mapping[str, Translation], source_language: str, *,
                      every: bool = False) -> list[str]:
    """Return what people should know about the translations: how many texts each has, which are stale.

    With `every`, also each text not yet translated, at its line in program.yaml.
    """
    words = i18n.current()
    source_name = words.language_name(source_language)
    notes = []
    for language, translation in translations.items():
        name, file = words.language_name(language), translation.file
        total, missing = len(translation.entries), len(translation.missing)
        if translation.source is None:
            notes.append(_("%(file)s does not exist yet: the %(language)s handbook shows its %(num)s texts in "
                           "%(source)s; `handbook translate %(tag)s` writes the file to translate", file=file,
                           language=name, num=words.number(total), source=source_name, tag=language))
        elif missing:
            notes.append(ngettext("%(file)s: %(done)s of %(num)s text in %(language)s; %(missing)s shown in "
                                  "%(source)s instead",
                                  "%(file)s: %(done)s of %(num)s texts in %(language)s; %(missing)s shown in "
                                  "%(source)s instead", total, file=file, done=words.number(total - missing),
                                  language=name, missing=words.number(missing), source=source_name))
        else:
            notes.append(ngettext("%(file)s: the %(num)s text is in %(language)s",
                                  "%(file)s: all %(num)s texts are in %(language)s", total, file=file, language=name))
        for entry in translation.stale:
            notes.append(_("%(file)s:%(line)s: %(path)s changed in program.yaml (line %(source_line)s) after it was "
                           "translated; update the translation, then its mark to `# source %(mark)s`", file=file,
                           line=translation.line(entry), path=shown(entry.path),
                           source_line=translation.source_line(entry), mark=mark(entry.text)))
        unmarked = len(translation.unmarked)
        if unmarked:
            notes.append(ngettext("%(file)s: %(num)s translation has no `# source` mark, so nothing shows when "
                                  "its text in program.yaml changes; `handbook translate %(tag)s` adds it",
                                  "%(file)s: %(num)s translations have no `# source` mark, so nothing shows when "
                                  "their text in program.yaml changes; `handbook translate %(tag)s` adds them",
                                  unmarked, file=file, tag=language))
        if every:
            for entry in translation.missing:
                notes.append(_("program.yaml:%(line)s: %(path)s is not translated into %(language)s yet",
                               line=translation.source_line(entry), path=shown(entry.path), language=name))
    return notes
