"""What changed between two versions of a program, section by section: pure, from two validated programs.

Items of a list with ids are compared by id (a moved item is not a change, a renamed id is one
removed and one added); other lists item by item. Every value counts, text or not, defaults
included: a value newly written as its default is no change.

How a change reads is here too, once, for `handbook changes` and the site's page of what changed
(`by_section`: the changes of each section by item, named by their titles): the words are the
generator's, in the language of the work in progress; values are shown when short.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Literal, Optional

from handbook.i18n import N_, _, current, ngettext
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


# --- how changes read: shared by `handbook changes` and the site's page of what changed -----------

SECTIONS = {
    "program": N_("Program"), "overview": N_("Overview"), "benefits": N_("Benefits"), "goals": N_("Goals"),
    "guidelines": N_("Guidelines"), "confidentiality": N_("Confidentiality"), "training": N_("Training"),
    "challenges": N_("Challenges"), "playbooks": N_("Playbooks"), "implementation": N_("Implementation"),
    "monitoring": N_("Monitoring and evaluation"), "closure": N_("Closure and rematching"),
    "matching": N_("Matching"), "cohort": N_("Cohort file"),
}  # the sections a summary names, in program.yaml's order; `previous:` itself is no change of the program
SHORT = 60  # a value up to this long is shown; a longer one is only said to have changed
_NAMES = ("title", "name", "aspect", "action", "description", "id")  # what names an item, best first


@dataclass(frozen=True)
class Compared:
    """Two versions of a program, what changed between them, and the agreement's fingerprint in each."""

    old_name: str  # how the old version is named: `program.yaml at HEAD`, `versions/program-2025.yaml`
    old: Program
    new: Program
    changes: tuple[Change, ...]
    old_fingerprint: str
    new_fingerprint: str
    # Whether the agreement's words changed, apart from the version and dates every version changes
    # (and the fingerprint with them); None: not known, the fingerprints tell.
    words_changed: Optional[bool] = None

    @property
    def agreement_changed(self) -> bool:
        """Return whether the agreement's text changed: groups that signed the older one sign again."""
        return self.words_changed if self.words_changed is not None else self.old_fingerprint != self.new_fingerprint


def dated_as(old: Program, new: Program) -> Program:
    """Return `old` with the version and dates of `new`: its agreement then differs from new's only in words."""
    info = old.program.model_copy(update={key: getattr(new.program, key)
                                          for key in ("version", "effective_date", "review_date")})
    return old.model_copy(update={"program": info})


def _same(text: str) -> str:
    return text


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def quoted(value: Any, escape: Callable[[str], str] = _same) -> str:
    """Return a value as a summary shows it: a text in quotation marks, on one line; a date in the current
    language (`1 March 2026`); a number as is."""
    if isinstance(value, str) and _DATE.match(value):
        try:
            return escape(current().date(dt.date.fromisoformat(value)))
        except ValueError:  # no date after all: a text
            pass
    text = " ".join((value if isinstance(value, str) else str(value)).split())
    # Translators: a quoted text in the summary of changes; use your language's quotation marks
    return _("“%(text)s”", text=escape(text)) if isinstance(value, str) else escape(text)


def excerpt(text: str) -> str:
    """Return a long text's first words, up to SHORT characters, and an ellipsis."""
    words = " ".join(text.split())
    return words if len(words) <= SHORT else words[:SHORT].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def item_name(value: Any, escape: Callable[[str], str] = _same, shorten: bool = False) -> str:
    """Return how an item is named: its title or name, else its id, else its value; "" when none, or when too
    long and not to be `shorten`ed to its first words."""
    if isinstance(value, dict):
        value = next((value[key] for key in _NAMES if isinstance(value.get(key), str)), None)
        if value is None:
            return ""
    if isinstance(value, (dict, list)):
        return ""
    if len(str(value)) <= SHORT:
        return quoted(value, escape)
    return quoted(excerpt(value), escape) if shorten and isinstance(value, str) else ""


def is_short(change: Change) -> bool:
    """Return whether both values of a change are short enough to show."""
    return all(len(str(v)) <= SHORT and not isinstance(v, (dict, list)) for v in (change.old, change.new))


def change_text(change: Change, where: str, escape: Callable[[str], str] = _same, shorten: bool = False) -> str:
    """Return one change as a summary line says it (without a mark), naming its place as `where`; an added or
    removed item too long to name is named by its first words when `shorten`."""
    if change.kind == "added":
        named = item_name(change.new, escape, shorten)
        return _("added %(where)s: %(what)s", where=where, what=named) if named else _("added %(where)s",
                                                                                          where=where)
    if change.kind == "removed":
        named = item_name(change.old, escape, shorten)
        return _("removed %(where)s: %(what)s", where=where, what=named) if named else _("removed %(where)s",
                                                                                            where=where)
    if is_short(change):
        return _("%(where)s: %(old)s → %(new)s", where=where, old=quoted(change.old, escape),
                 new=quoted(change.new, escape))
    return _("%(where)s reworded", where=where)


_STEP = re.compile(r"\.?([^.\[\]]+)|\[([^\]]*)\]")


def _steps(path: str) -> list[tuple[str, bool]]:
    """Return a path's steps: (key, False) for `.key`, (id or index, True) for `[id]`."""
    return [(key or ident, not key) for key, ident in _STEP.findall(path)]


def item_path(path: str) -> str:
    """Return the path of the item a change is in: up to its first `[id]` (`goals[skills]`), else the path."""
    end = path.find("]")
    return path[:end + 1] if end >= 0 else path


def lookup(data: Any, path: str) -> Any:
    """Return what `path` leads to in a program dumped as JSON (model_dump), or None when it leads nowhere."""
    for step, in_list in _steps(path):
        if in_list and isinstance(data, list):
            found = [item for item in data if isinstance(item, dict) and item.get("id") == step]
            if found:
                data = found[0]
            elif step.isdigit() and int(step) < len(data):
                data = data[int(step)]
            else:
                return None
        elif not in_list and isinstance(data, dict) and step in data:
            data = data[step]
        else:
            return None
    return data


@dataclass(frozen=True)
class ItemChanges:
    """What changed in one item of a section (a guideline, a limit of confidentiality) or one value."""

    path: str  # `confidentiality.limits[harm]`, or the value's path when it is in no list
    kind: Kind  # the item was added, removed, or changed inside
    title: str  # the item's title as the newer version has it (the older, when removed); "" when none
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class SectionChanges:
    """The changes in one section of program.yaml, by item."""

    section: str  # the key in program.yaml
    title: str  # the section's name in the current language
    items: tuple[ItemChanges, ...]

    def counts(self) -> str:
        """Return how many items changed, were added and removed: "2 changed, 1 added"."""
        kinds = [item.kind for item in self.items]
        parts = [ngettext("%(num)s changed", "%(num)s changed", kinds.count("changed")),
                 ngettext("%(num)s added", "%(num)s added", kinds.count("added")),
                 ngettext("%(num)s removed", "%(num)s removed", kinds.count("removed"))]
        return ", ".join(part for part, kind in zip(parts, ("changed", "added", "removed")) if kind in kinds)


def by_section(compared: Compared, shown: Program | None = None,
               leave_out: tuple[str, ...] = ()) -> list[SectionChanges]:
    """Return the changes section by section, each section's by item, in program.yaml's order.

    Items are named as `shown` has them (the newer version as published in the current language;
    by default `compared.new`); a removed item as the older version had it.
    """
    current = (shown or compared.new).model_dump(mode="json")
    before = compared.old.model_dump(mode="json")
    found = []
    for section in SECTIONS:
        if section in leave_out:
            continue
        changes = [c for c in compared.changes if c.section == section]
        if not changes:
            continue
        items: dict[str, list[Change]] = {}
        for change in changes:
            items.setdefault(item_path(change.path), []).append(change)
        listed = []
        for path, inside in items.items():
            whole = inside[0] if len(inside) == 1 and inside[0].path == path else None
            kind: Kind = whole.kind if whole is not None else "changed"
            value = lookup(before if kind == "removed" else current, path)
            title = item_name(value) if isinstance(value, dict) else ""
            listed.append(ItemChanges(path, kind, title, tuple(inside)))
        found.append(SectionChanges(section, _(SECTIONS[section]), tuple(listed)))
    return found
