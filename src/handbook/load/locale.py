"""A project's own words for what the generator writes: `locale/<language>.po`, checked like every input.

A coordinator who wants "Tandem" where handbook writes "Gruppe" keeps the messages to change in
`locale/de.po` (`handbook messages de` writes every message with the shipped translation) and
edits them. For a language handbook ships no catalog for, the same file is the whole catalog.
`check` refuses, with file:line: a file that is no valid .po, a message handbook does not have
(a typo in the msgid would otherwise be ignored), a translation that invents or drops a
`%(name)s` placeholder or holds a lone `%`, and a plural message with a form left empty.
Only the file of the program's language is read; `language_notes` says when another one is
ignored, or when the program's language has no catalog at all (its generator words stay English).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po

from handbook import i18n
from handbook.errors import Problem, did_you_mean
from handbook.layout import Layout

if TYPE_CHECKING:  # a build with nothing changed reads the language without loading the model
    from handbook.model import Program

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_PO_LINE = re.compile(r'^\s*(?:(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+)?"(?:[^"\\]|\\.)*"\s*$')
PLURAL_COUNTS = {"num", "count"}  # what a plural message's number is called: ngettext's `num`, {% trans count=... %}


@functools.lru_cache(maxsize=1)
def _known() -> dict[tuple[str, Optional[str]], Message]:
    """Return the generator's messages by (msgid, context), from the shipped template."""
    with (i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot").open("rb") as handle:
        template = read_po(handle, domain=i18n.DOMAIN)
    return {(m.id if isinstance(m.id, str) else m.id[0], m.context): m for m in template if m.id}


def _formatted(message: Message) -> bool:
    """Whether the generator fills a message's placeholders (`%` is then special): templates always do."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    return any(_PLACEHOLDER.search(i) for i in ids) or any(name.endswith(".j2") for name, _line in message.locations)


def words(layout: Layout, program: Program) -> i18n.Messages:
    """Return the generator's words for the program's language, with the project's overrides when present."""
    language = program.program.language
    own = layout.messages_file(language)
    return i18n.messages(language, own if own.is_file() else None)


def project_words(root: Path) -> i18n.Messages:
    """Return the words for what a command prints about the project at `root`, before it is validated.

    The language is read from program.yaml leniently; the project's overrides are used only when
    they have no problem (the command reports those). English when program.yaml cannot be read.
    """
    layout = Layout(Path(root).resolve())
    try:
        # every value as text: a date that is no date (2026-13-05) is validation's to report
        data = yaml.load(layout.program.read_bytes(), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
        info = data["program"]
        languages = info.get("languages")  # in several: the source language, the first
        language = languages[0] if isinstance(languages, list) and languages else info["language"]
    except (OSError, ValueError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        return i18n.messages(i18n.SOURCE_LANGUAGE)
    if not isinstance(language, str) or not re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", language):
        return i18n.messages(i18n.SOURCE_LANGUAGE)
    own = layout.messages_file(language)
    if own.is_file() and not _file_problems(own, language, layout.relative(own)):
        return i18n.messages(language, own)
    return i18n.messages(language)


def locale_problems(layout: Layout, program: Optional[Program]) -> list[Problem]:
    """Return what is wrong with the project's `locale/<language>.po` (nothing when there is none)."""
    if program is None:
        return []
    language = program.program.language
    path = layout.messages_file(language)
    if not path.is_file():
        return []
    return _file_problems(path, language, f"{layout.locale.name}/{path.name}")


def language_notes(layout: Layout, program: Program) -> list[str]:
    """Return what a coordinator should know about the program's language: no catalog, files not read."""
    language = program.program.language
    own = layout.messages_file(language)
    notes = []
    base = language.replace("-", "_").split("_")[0]
    if i18n.catalog_path(language) is None and base != i18n.SOURCE_LANGUAGE and not own.is_file():
        notes.append(i18n._("note: handbook has no words for the language %(language)s; what it writes itself "
                            "stays English. `handbook messages %(language)s` writes them for you to translate into "
                            "%(file)s.", language=language, file=layout.relative(own)))
    if layout.locale.is_dir():
        others = sorted(p for p in layout.locale.glob("*.po") if p.name != own.name)
        if others:
            notes.append(i18n.ngettext("note: %(files)s is not read: the program's language is %(language)s.",
                                       "note: %(files)s are not read: the program's language is %(language)s.",
                                       len(others), files=i18n.current().list(layout.relative(p) for p in others),
                                       language=language))
    return notes


def _file_problems(path: Path, language: str, name: str) -> list[Problem]:
    data = path.read_bytes()
    lines = data.decode("utf-8", "replace").splitlines()
    for number, line in enumerate(lines, 1):  # Babel reads an unclosed quote without a word
        if line.strip() and not line.lstrip().startswith("#") and not _PO_LINE.match(line):
            return [Problem(name, number, 0, "this line is no part of a .po entry",
                            hint="write `msgid \"...\"` and `msgstr \"...\"` lines, with the text in double quotes "
                                 "(a quote inside the text is written \\\")", source_line=line)]
    try:
        catalog = i18n.read_catalog(data, language)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        number = int(m.group(1)) if (m := re.search(r"(?:line|on) (\d+)", str(exc))) else 0
        return [Problem(name, number, 0, f"this is not a valid .po file: {exc}",
                        hint="each entry is a `msgid \"...\"` line followed by a `msgstr \"...\"` line",
                        source_line=lines[number - 1] if 0 < number <= len(lines) else "")]
    return _entry_problems(catalog, name, lines, language)


def _entry_problems(catalog: Catalog, name: str, lines: list[str], language: str) -> list[Problem]:
    known = _known()
    ids = sorted({key[0] for key in known})
    problems = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        line = message.lineno or 0
        source = lines[line - 1] if 0 < line <= len(lines) else ""

        def problem(text: str, hint: str, line: int = line, source: str = source) -> None:
            problems.append(Problem(name, line, 0, text, hint=hint, source_line=source))

        shipped = known.get((msgid, message.context))
        if shipped is None:
            elsewhere = [key for key in known if key[0] == msgid]
            if elsewhere:  # the right words, but another context (msgctxt) than any message has
                problem(f"handbook writes {msgid!r} with no context {message.context!r}",
                        "contexts of this message: " + ", ".join(repr(c) if c else "none" for _m, c in elsewhere))
            else:
                problem(f"handbook writes no message {msgid!r}{did_you_mean(msgid, ids)}",
                        f"copy the msgid exactly from the file `handbook messages {language}` writes")
            continue
        if isinstance(shipped.id, tuple) != isinstance(message.id, tuple):
            problem(f"{msgid!r} is {'a' if isinstance(shipped.id, tuple) else 'no'} message with plural forms",
                    f"write it as `handbook messages {language}` does: " + (
                        f"msgid, msgid_plural {shipped.id[1]!r}, then msgstr[0] to msgstr[{catalog.num_plurals - 1}]"
                        if isinstance(shipped.id, tuple) else "one msgid and one msgstr line"))
            continue
        if message.fuzzy or not message.string or (isinstance(message.string, tuple) and not any(message.string)):
            continue  # not translated here: handbook's own words stay
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if isinstance(message.string, tuple) and (not all(strings) or len(strings) < catalog.num_plurals):
            problem(f"the translation of {msgid!r} leaves a plural form empty",
                    f"fill in every line from msgstr[0] to msgstr[{catalog.num_plurals - 1}] (the Plural-Forms line of "
                    "the file's header says which number takes which), or delete the entry to keep handbook's words")
            continue
        originals = shipped.id if isinstance(shipped.id, tuple) else (shipped.id,)
        wanted = set().union(*(_PLACEHOLDER.findall(o) for o in originals))
        plural = isinstance(shipped.id, tuple)
        offered = wanted | ({"num"} if plural else set())  # ngettext fills the number in as `num` too
        for index, text in enumerate(strings):
            found = set(_PLACEHOLDER.findall(text))
            if found - offered:
                unknown = ", ".join(f"%({p})s" for p in sorted(found - offered))
                problem(f"the translation of {msgid!r} uses {unknown}, which handbook does not fill in",
                        "placeholders available: " + (", ".join(f"%({p})s" for p in sorted(wanted)) or "none"))
                continue
            # The number may go unsaid in the form for one ("ein Treffen"); every other value is needed.
            dropped = wanted - found - (PLURAL_COUNTS if plural and index == 0 and len(strings) > 1 else set())
            if dropped:
                problem(f"the translation of {msgid!r} leaves out "
                        + ", ".join(f"%({p})s" for p in sorted(dropped)),
                        "keep every placeholder of the msgid, in any order")
                continue
            if _formatted(shipped) and _bad_percent(text):
                problem(f"the translation of {msgid!r} has a lone %",
                        "write %% for a percent sign; placeholders are written %(name)s")
    return problems


def _bad_percent(text: str) -> bool:
    """Whether `text` has a `%` that is neither `%%` nor a `%(name)s` placeholder."""
    return "%" in _FORMAT_PARTS.sub("", text)


_FORMAT_PARTS = re.compile(r"%%|%\(\w+\)[sd]")
