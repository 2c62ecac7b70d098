"""Validate loaded YAML against a model: schema errors and cross-references, all at once."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from handbook.errors import InputError, Problem, did_you_mean
from handbook.load.yamlsource import Source
from handbook.model import Program

M = TypeVar("M", bound=BaseModel)


def describe(value: Any) -> str:
    """Return a short description of a YAML value as a coordinator wrote it."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


# Letters people spell out rather than drop an accent from, as German, Danish, Norwegian and
# Icelandic writers do without the letter (and as ICAO 9303 transliterates names in passports):
# "Hierarchiegefälle" -> "Hierarchiegefaelle", "Søren" -> "Soeren", "Ålborg" -> "Aalborg".
# Letters that are not on this list lose their accents only: é -> e, ç -> c, ñ -> n.
_SPELLED = str.maketrans({
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
    "æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa", "œ": "oe", "Œ": "Oe",
    "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i",
})


def transliterate(text: str) -> str:
    """Return `text` with its letters spelled as people write them without accents, keeping case.

    'Hierarchiegefälle' -> 'Hierarchiegefaelle', 'Straße' -> 'Strasse', 'Café' -> 'Cafe'. Other
    characters (dashes, quotes, other scripts) are kept, so a slug still splits words at them.
    """
    spelled = unicodedata.normalize("NFC", str(text)).translate(_SPELLED)
    decomposed = unicodedata.normalize("NFKD", spelled)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str, *, max_length: int | None = 64, fallback: str = "id") -> str:
    """Return `text` as an id slug, e.g. 'Time Constraints' -> 'time-constraints'.

    Every id the generator suggests or makes comes from here, so 'Führungskreise' becomes
    'fuehrungskreise' everywhere. Text that is already ASCII slugs exactly as it always did
    (calendar UIDs depend on it); `fallback` is returned when nothing usable is left.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", transliterate(text).lower()).strip("-")
    if max_length is not None:
        slug = slug[:max_length].rstrip("-")
    return slug or fallback


def _fields_of(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Return the field names allowed at `loc` (a path into `model`), for suggestions."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        current = inner_model(fields[part].annotation)
    return list(getattr(current, "model_fields", {}) or {})


def inner_model(annotation: Any) -> Any:
    """Return the BaseModel inside `Optional[X]`, `tuple[X, ...]` and the like, else the annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = inner_model(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return annotation


def _message(error: dict[str, Any], model: type[BaseModel]) -> tuple[str, str, bool]:
    """Return (message, hint, at_key) for one pydantic error, in a coordinator's terms."""
    kind = error["type"]
    loc = tuple(error["loc"])
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        name = loc[-1]
        return f"missing required key {name!r}", f"add `{name}:` here", False
    if kind == "extra_forbidden":
        name = loc[-1]
        allowed = _fields_of(model, loc[:-1])
        suggestion = did_you_mean(name, allowed)
        hint = f"allowed keys here: {', '.join(allowed)}" if allowed else "remove this key"
        return f"unknown key {name!r}{suggestion}", hint, True
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"expected a mapping (key: value lines), got {describe(value)}", \
            "indent the keys of this section under it", False
    if kind in {"tuple_type", "list_type"}:
        return f"expected a list, got {describe(value)}", "start each item on its own line with `- `", False
    if kind in {"string_type"}:
        return f"expected text, got {describe(value)}", "put the text on the same line, in quotes if needed", False
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern", "").startswith("^[a-z0-9]+(?:-"):
            return (f"expected an id (lowercase letters, digits and hyphens), got {describe(value)}",
                    f"for example `{slugify(value)}`", False)
        if "@" in ctx.get("pattern", ""):
            return f"expected an email address, got {describe(value)}", "write it like name@example.org", False
        if ctx.get("pattern", "").startswith("^[a-z]{2,3}"):
            return f"expected a language tag, got {describe(value)}", "for example `en`, `de` or `fr-CA`", False
        if ctx.get("pattern", "").startswith("^[a-z][a-z0-9_]*"):
            return (f"expected a column name (lowercase letters, digits and underscores), got {describe(value)}",
                    f"for example `{slugify(value).replace('-', '_')}`", False)
        return f"expected text matching {ctx.get('pattern')}, got {describe(value)}", "", False
    if kind in {"string_too_short"}:
        return "expected text, got an empty value", "write something here or remove the key", False
    if kind in {"string_too_long"}:
        return f"text is longer than {ctx.get('max_length')} characters", "shorten it", False
    if kind in {"too_short"}:
        n = ctx.get("min_length", 1)
        return f"expected at least {n} item{'s' if n != 1 else ''}, got {ctx.get('actual_length', 0)}", \
            "add items as lines starting with `- `", False
    if kind == "too_long":
        n = ctx.get("max_length")
        return f"expected at most {n} items, got {ctx.get('actual_length')}", "", False
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"expected a whole number, got {describe(value)}", "write digits only, e.g. 2", False
    if kind in {"float_parsing", "float_type"}:
        return f"expected a number, got {describe(value)}", "write digits only, e.g. 1.5", False
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        bound = next(iter(ctx.values()), "")
        words = {"greater_than": "greater than", "greater_than_equal": "at least",
                 "less_than": "less than", "less_than_equal": "at most"}[kind]
        return f"expected a number {words} {bound}, got {describe(value)}", "", False
    if kind in {"bool_parsing", "bool_type"}:
        return f"expected true or false, got {describe(value)}", "write `true` or `false`", False
    if kind == "unknown_zone":
        from zoneinfo import available_timezones

        suggestion = did_you_mean(value, sorted(available_timezones())) if isinstance(value, str) else ""
        return (f"unknown time zone {describe(value)}{suggestion}",
                "use a name from the IANA time zone database, e.g. Europe/Berlin, America/New_York or UTC", False)
    if kind == "time_unquoted" or kind.startswith("time"):
        return f"expected a time, got {describe(value)}", 'write it in quotes as HH:MM, e.g. "14:00"', False
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"expected a date, got {describe(value)}", "write it as YYYY-MM-DD, e.g. 2026-09-01", False
    if kind == "monthly_day":
        from handbook.model import MONTHLY_DAYS

        suggestion = did_you_mean(value, list(MONTHLY_DAYS)) if isinstance(value, str) else ""
        return (f"expected a week of the month and a weekday, got {describe(value)}{suggestion}",
                "write first, second, third, fourth or last, a hyphen and the weekday in English, e.g. "
                "`first-tuesday` or `last-friday`; or `start-weekday` for the weekday the group starts on", False)
    if kind == "rhythm_both":
        return ("sessions are either every few weeks or monthly, not both",
                "keep `every_weeks:` or `monthly:` and remove the other", True)
    if kind == "rhythm_missing":
        return ("how often groups meet is missing",
                "add `every_weeks: 2` (every two weeks) or `monthly: first-tuesday` (once a month) under it", True)
    if kind in {"literal_error", "enum"}:
        expected = ctx.get("expected", "")
        choices = re.findall(r"'([^']*)'", expected) or [expected]
        suggestion = did_you_mean(value, choices) if isinstance(value, str) else ""
        return (f"expected one of: {', '.join(choices)}, but received: {describe(value)}{suggestion}",
                "", False)
    return f"{error['msg']}, got {describe(value)}", "", False


def _explain(errors: list[dict[str, Any]], model: type[BaseModel]) -> Iterator[tuple[tuple[Any, ...], str, str, bool]]:
    """Yield (path, message, hint, at_key) per error, leaving out errors that follow from others."""
    locs = [tuple(e["loc"]) for e in errors]
    # A misspelt key shows up twice: as unknown and as missing. Keep the unknown one, which suggests.
    misspelt = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            loc = tuple(e["loc"])
            allowed = _fields_of(model, loc[:-1])
            for name in difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6):
                misspelt.add(loc[:-1] + (name,))
    for error, loc in zip(errors, locs):
        if error["type"] == "missing" and loc in misspelt:
            continue
        # A list whose invalid items were dropped also reports being too short.
        if error["type"] == "too_short" and any(o[: len(loc)] == loc and len(o) > len(loc) for o in locs):
            continue
        message, hint, at_key = _message(error, model)
        if error["type"] == "missing":
            # Point at the mapping's own key (`program:`), not at its first child.
            yield loc[:-1], message, hint, True
        else:
            yield loc, message, hint, at_key


def schema_problems(source: Source, model: type[BaseModel], data: Any | None = None,
                    prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """Return every schema problem of `data` (default: the whole source) against `model`."""
    data = source.data if data is None else data
    if not isinstance(data, dict):
        return [source.problem(prefix, f"expected a mapping (key: value lines) at the top, got {describe(data)}",
                               f"the file starts with keys such as {', '.join(list(model.model_fields)[:3])}")]
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [source.problem(prefix + loc, message, hint, key=at_key)
                for loc, message, hint, at_key in _explain(exc.errors(include_url=False), model)]
    return []


def validate_model(source: Source, model: type[M]) -> M:
    """Return the model instance of `source`, or raise InputError with every schema problem."""
    problems = schema_problems(source, model)
    if problems:
        raise InputError(problems)
    return model.model_validate(source.data)


def _items(data: Any, *path: str) -> list[tuple[int, dict[str, Any]]]:
    """Return (index, mapping) for each mapping item of the list at `path`, skipping malformed parts."""
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    if not isinstance(data, list):
        return []
    return [(i, item) for i, item in enumerate(data) if isinstance(item, dict)]


def _ids(data: Any, *path: str) -> list[str]:
    return [item["id"] for _, item in _items(data, *path) if isinstance(item.get("id"), str)]


def _unique(source: Source, path: tuple[str, ...], what: str) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, item in _items(source.data, *path):
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in first:
            line = source.position(path + (first[ident], "id"))[0]
            yield source.problem(path + (index, "id"), f"duplicate {what} id {ident!r} (first used on line {line})",
                                 "ids must be unique within their list; rename one")
        else:
            first[ident] = index


def _refs(source: Source, path: tuple[Any, ...], value: Any, known: list[str], what: str,
          where: str) -> Iterator[Problem]:
    """Yield a problem for each id in `value` (an id or a list of ids) that is not in `known`."""
    refs = [(path + (i,), v) for i, v in enumerate(value)] if isinstance(value, list) else [(path, value)]
    for at, ref in refs:
        if isinstance(ref, str) and ref not in known:
            listed = ", ".join(known) if known else "(none yet)"
            yield source.problem(at, f"unknown {what} {ref!r}{did_you_mean(ref, known)}",
                                 f"{what} ids are defined under `{where}`: {listed}")


# Lists whose items carry an id unique within the list: path, and what an item is called.
ID_LISTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("overview", "roles"), "role"),
    (("benefits",), "benefit"),
    (("goals",), "goal"),
    (("confidentiality", "clauses"), "clause"),
    (("confidentiality", "limits"), "limit"),
    (("training", "modules"), "module"),
    (("challenges",), "challenge"),
    (("playbooks",), "playbook"),
    (("implementation",), "implementation step"),
    (("monitoring", "check_ins"), "check-in"),
)


def reference_problems(source: Source) -> list[Problem]:
    """Return every duplicate id and dangling reference; works on partly invalid data too."""
    data = source.data
    problems: list[Problem] = []
    for path, what in ID_LISTS:
        problems += _unique(source, path, what)
    roles = _ids(data, "overview", "roles")
    benefits = _ids(data, "benefits")
    challenges = _ids(data, "challenges")
    for i, goal in _items(data, "goals"):
        problems += _refs(source, ("goals", i, "benefits"), goal.get("benefits"), benefits, "benefit", "benefits")
    for i, module in _items(data, "training", "modules"):
        problems += _refs(source, ("training", "modules", i, "addresses"), module.get("addresses"), challenges,
                          "challenge", "challenges")
    addressed: set[str] = set()
    for i, playbook in _items(data, "playbooks"):
        addresses = playbook.get("addresses")
        problems += _refs(source, ("playbooks", i, "addresses"), addresses, challenges, "challenge", "challenges")
        if isinstance(addresses, list):
            addressed.update(a for a in addresses if isinstance(a, str))
        for j, step in _items(playbook, "steps"):
            problems += _refs(source, ("playbooks", i, "steps", j, "who"), step.get("who"), roles, "role",
                              "overview.roles")
    for i, step in _items(data, "implementation"):
        problems += _refs(source, ("implementation", i, "owner"), step.get("owner"), roles, "role",
                          "overview.roles")
    dangling = any(p.message.startswith("unknown challenge") for p in problems)
    if "playbooks" in data and not dangling:
        for i, challenge in _items(data, "challenges"):
            ident = challenge.get("id")
            if isinstance(ident, str) and ident not in addressed:
                problems.append(source.problem(("challenges", i, "id"), f"challenge {ident!r} has no playbook",
                                               f"add a playbook with `addresses: [{ident}]` under `playbooks`"))
    info = data.get("program")
    if isinstance(info, dict):
        start, review = info.get("effective_date"), info.get("review_date")
        if isinstance(start, dt.date) and isinstance(review, dt.date) and review <= start:
            problems.append(source.problem(("program", "review_date"),
                                           f"review date {review} is not after the effective date {start}",
                                           "a program is reviewed after it takes effect"))
        languages = info.get("languages")
        if isinstance(languages, list) and languages:
            seen: set[str] = set()
            for i, tag in enumerate(languages):
                if not isinstance(tag, str):
                    continue
                if tag in seen:
                    problems.append(source.problem(("program", "languages", i), f"language {tag!r} is listed twice",
                                                   "list each language once, the source language first"))
                seen.add(tag)
            language = info.get("language")
            if isinstance(language, str) and language != languages[0]:
                problems.append(source.problem(
                    ("program", "language"), f"`language` is {language!r} but the first of `languages` is "
                    f"{languages[0]!r}", "leave out `language`: the first of `languages` is the source language"))
    return problems


def validate_program(source: Source) -> Program:
    """Return the Program of `source`, or raise InputError with every problem found."""
    problems = schema_problems(source, Program)
    if isinstance(source.data, dict):
        problems += reference_problems(source)
    if problems:
        raise InputError(problems)
    return Program.model_validate(source.data)
