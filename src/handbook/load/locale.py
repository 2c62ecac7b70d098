"""A project's own words for what the generator writes: `locale/<language>.po`, checked like every input.

A coordinator who wants "Tandem" where handbook writes "Group" copies the messages to change
into `locale/de.po` (`handbook messages de` writes every message with the shipped translation)
and edits them. `check` refuses, with file:line: a file that is no valid .po, a message handbook
does not have (a typo in the msgid would otherwise be ignored), and a translation that drops or
invents a `%(name)s` placeholder. A .po for another language than the program's is ignored,
and said so, as is a language handbook ships no catalog for (its generator words stay English).
"""

from __future__ import annotations

import functools
import re
from typing import Optional

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError

from handbook import i18n
from handbook.errors import Problem, did_you_mean
from handbook.layout import Layout
from handbook.model import Program

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@functools.lru_cache(maxsize=1)
def _known() -> dict[tuple[str, Optional[str]], object]:
    """Return the generator's messages by (msgid, context), from the shipped template."""
    with (i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot").open("rb") as handle:
        from babel.messages.pofile import read_po

        template = read_po(handle, domain=i18n.DOMAIN)
    return {(m.id if isinstance(m.id, str) else m.id[0], m.context): m.id for m in template if m.id}


def words(layout: Layout, program: Program) -> i18n.Messages:
    """Return the generator's words for the program's language, with the project's overrides when present."""
    language = program.program.language
    own = layout.messages_file(language)
    return i18n.messages(language, own if own.is_file() else None)


def locale_problems(layout: Layout, program: Optional[Program]) -> list[Problem]:
    """Return what is wrong with the project's `locale/<language>.po` (nothing when there is none)."""
    if program is None:
        return []
    language = program.program.language
    path = layout.messages_file(language)
    name = f"{layout.locale.name}/{path.name}"
    if not path.is_file():
        return []
    data = path.read_bytes()
    lines = data.decode("utf-8", "replace").splitlines()
    try:
        catalog = i18n.read_catalog(data, language)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        number = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        return [Problem(name, number, 0, f"this is not a valid .po file: {exc}",
                        hint="each entry is a `msgid \"...\"` line followed by a `msgstr \"...\"` line",
                        source_line=lines[number - 1] if 0 < number <= len(lines) else "")]
    return _entry_problems(catalog, name, lines)


def _entry_problems(catalog: Catalog, name: str, lines: list[str]) -> list[Problem]:
    known = _known()
    ids = sorted({key[0] for key in known})
    problems = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        line = message.lineno or 0
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        if (msgid, message.context) not in known:
            problems.append(Problem(name, line, 0, f"handbook writes no message {msgid!r}{did_you_mean(msgid, ids)}",
                                    hint="copy the msgid exactly from `handbook messages "
                                         f"{catalog.locale or 'LANGUAGE'}`", source_line=source))
            continue
        wanted = set(_PLACEHOLDER.findall(msgid))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if not text:
                continue
            found = set(_PLACEHOLDER.findall(text))
            if found - wanted - {"num"}:
                unknown = ", ".join(f"%({p})s" for p in sorted(found - wanted - {"num"}))
                problems.append(Problem(name, line, 0, f"the translation of {msgid!r} uses {unknown}, which "
                                                       "handbook does not fill in",
                                        hint="placeholders available: " + (", ".join(
                                            f"%({p})s" for p in sorted(wanted)) or "none"), source_line=source))
    return problems
