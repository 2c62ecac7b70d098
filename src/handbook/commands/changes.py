"""`handbook changes [OLD]`: what changed in the program since an older version, section by section.

OLD is an older program.yaml (a file) or, in a project kept in git, a revision (`HEAD`, a tag, a
commit); without it, the last commit (`HEAD`). Both versions are validated; the summary names each
section that changed and what changed in it (`plan.changes`), and whether the agreement's text
did (its fingerprint), since every group that signed the old text must sign again.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional

from handbook import i18n
from handbook.errors import InputError, Problem
from handbook.i18n import _, ngettext
from handbook.layout import PROGRAM_FILE, Layout
from handbook.load.locale import words
from handbook.load.project import read_program
from handbook.load.validate import validate_program
from handbook.load.yamlsource import load_yaml
from handbook.plan.changes import (
    SECTIONS,
    SHORT,
    Compared,
    change_text,
    program_changes,
)
from handbook.render.printing import agreement_fingerprint

__all__ = ["SECTIONS", "SHORT", "Compared", "compare", "read_old", "summary"]
MARKS = {"added": "+", "removed": "-", "changed": "~"}


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
        lines += [f"  {MARKS[change.kind]} " + change_text(change, change.path) for change in found]
    if compared.old_fingerprint != compared.new_fingerprint:
        lines.append(_("The agreement's text changed (fingerprint %(old)s, now %(new)s): every group that signed "
                       "the old text signs again.", old=compared.old_fingerprint, new=compared.new_fingerprint))
    else:
        lines.append(_("The agreement's text is unchanged (fingerprint %(fingerprint)s): signed agreements stay "
                       "valid.", fingerprint=compared.new_fingerprint))
    return lines
