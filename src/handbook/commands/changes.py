"""`handbook changes [OLD]`: what changed in the program since an older version, section by section.

OLD is an older program.yaml (a file) or, in a project kept in git, a revision (`HEAD`, a tag, a
commit); without it, the last commit (`HEAD`). Both versions are validated; the summary names each
section that changed and what changed in it (`plan.changes`), and whether the agreement's text
did (its fingerprint), since every group that signed the old text must sign again.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from handbook import i18n
from handbook.errors import InputError, Problem
from handbook.i18n import N_, _, ngettext
from handbook.layout import PROGRAM_FILE, Layout
from handbook.load.locale import words
from handbook.load.project import read_program
from handbook.load.validate import validate_program
from handbook.load.yamlsource import load_yaml
from handbook.model import Program
from handbook.plan.changes import Change, program_changes
from handbook.render.printing import agreement_fingerprint

SECTIONS = {
    "program": N_("Program"), "overview": N_("Overview"), "benefits": N_("Benefits"), "goals": N_("Goals"),
    "guidelines": N_("Guidelines"), "confidentiality": N_("Confidentiality"), "training": N_("Training"),
    "challenges": N_("Challenges"), "playbooks": N_("Playbooks"), "implementation": N_("Implementation"),
    "monitoring": N_("Monitoring and evaluation"), "closure": N_("Closure and rematching"),
    "matching": N_("Matching"), "cohort": N_("Cohort file"),
}
SHORT = 60  # a value up to this long is shown; a longer one is only said to have changed


@dataclass(frozen=True)
class Compared:
    """Two versions of a program and what changed between them."""

    old_name: str  # how the old version is named: `program.yaml at HEAD`, `old/program.yaml`
    old: Program
    new: Program
    changes: tuple[Change, ...]
    old_fingerprint: str
    new_fingerprint: str


def _git(root: Path, *args: str) -> Optional[str]:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def read_old(layout: Layout, old: Optional[str]) -> tuple[str, bytes]:
    """Return the name and bytes of the old program.yaml: the file `old`, or program.yaml at git revision `old`."""
    if old:
        for candidate, shown in ((layout.root / old, old), (Path(old), old)):  # in the project, or from here
            if candidate.is_file():
                return shown, candidate.read_bytes()
    revision = old or "HEAD"
    top = _git(layout.root, "rev-parse", "--show-toplevel")
    if top is None:
        raise InputError([Problem("OLD", 0, 0, f"{revision!r} is no file, and the project is not in a git repository",
                                  hint="name an older program.yaml, e.g. `handbook changes old/program.yaml`")])
    inside = layout.program.resolve().relative_to(Path(top.strip()).resolve()).as_posix()
    text = _git(layout.root, "show", f"{revision}:{inside}")
    if text is None:
        raise InputError([Problem("OLD", 0, 0, f"git has no {inside} at {revision!r}",
                                  hint="name a revision that has it (`git log -- program.yaml` lists them), or a "
                                       "file")])
    return f"{PROGRAM_FILE} at {revision}", text.encode("utf-8")


def compare(root: Path, old: Optional[str] = None) -> Compared:
    """Compare the project's program.yaml with an older version; raise InputError when either is invalid."""
    layout = Layout(Path(root).resolve())
    new = validate_program(read_program(layout))
    name, data = read_old(layout, old)
    previous = validate_program(load_yaml(data, name))
    with i18n.using(words(layout, new)):  # the fingerprints as the built agreements print them
        fingerprints = agreement_fingerprint(previous), agreement_fingerprint(new)
    return Compared(name, previous, new, tuple(program_changes(previous, new)), *fingerprints)


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    text = " ".join(text.split())
    # Translators: a quoted text in the summary of changes; use your language's quotation marks
    return _("“%(text)s”", text=text) if isinstance(value, str) else text


def _item(value: Any) -> str:
    """Return how an added or removed item is named: its title or name, else its id, else its value."""
    if isinstance(value, dict):
        for key in ("title", "name", "aspect", "action", "description", "id"):
            if isinstance(value.get(key), str):
                return _value(value[key]) if len(value[key]) <= SHORT else ""
        return ""
    return _value(value) if len(str(value)) <= SHORT else ""


def summary(compared: Compared) -> list[str]:
    """Return the readable summary of a comparison, in the current language, a line each."""
    lines = [_("What changed from %(old)s (version %(old_version)s) to %(new)s (version %(new_version)s):",
               old=compared.old_name, old_version=compared.old.program.version, new=PROGRAM_FILE,
               new_version=compared.new.program.version)]
    if not compared.changes:
        lines.append("  " + _("nothing: the two versions are the same."))
    for section in SECTIONS:
        found = [c for c in compared.changes if c.section == section]
        if not found:
            continue
        lines.append(ngettext("%(section)s: %(num)s change", "%(section)s: %(num)s changes", len(found),
                              section=_(SECTIONS[section])))
        for change in found:
            where = change.path
            if change.kind == "added":
                named = _item(change.new)
                lines.append("  + " + (_("added %(where)s: %(what)s", where=where, what=named) if named
                                       else _("added %(where)s", where=where)))
            elif change.kind == "removed":
                named = _item(change.old)
                lines.append("  - " + (_("removed %(where)s: %(what)s", where=where, what=named) if named
                                       else _("removed %(where)s", where=where)))
            elif all(len(str(v)) <= SHORT and not isinstance(v, (dict, list)) for v in (change.old, change.new)):
                lines.append("  ~ " + _("%(where)s: %(old)s → %(new)s", where=where, old=_value(change.old),
                                        new=_value(change.new)))
            else:
                lines.append("  ~ " + _("%(where)s reworded", where=where))
    if compared.old_fingerprint != compared.new_fingerprint:
        lines.append(_("The agreement's text changed (fingerprint %(old)s, now %(new)s): every group that signed "
                       "the old text signs again.", old=compared.old_fingerprint, new=compared.new_fingerprint))
    else:
        lines.append(_("The agreement's text is unchanged (fingerprint %(fingerprint)s): signed agreements stay "
                       "valid.", fingerprint=compared.new_fingerprint))
    return lines
