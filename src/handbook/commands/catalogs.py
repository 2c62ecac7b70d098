"""The message catalogs: extract the generator's words from the code and templates, keep every catalog current.

`extract()` reads every `_()`, `ngettext()`, `pgettext()`, `N_()` in the package's Python and every
`{{ _() }}` / `{% trans %}` in its templates into a Catalog (the `handbook.pot` template).
`update()` writes `locale/handbook.pot` and merges it into each shipped `.po`: new messages
arrive untranslated, changed ones fuzzy, removed ones obsolete. Translators edit the `.po`
files; `tests/test_catalogs.py` fails while any message lacks a translation or the template
is out of date. Run `python scripts/messages.py` after changing the generator's words.

`project_catalog()` is the starting point of a project's own words, `locale/<lang>.po`; `handbook
messages LANG` writes it with `write_project_catalog()`. The build reads it over the shipped
catalog (`load/locale.py` checks it).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Optional

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from handbook import __version__, i18n
from handbook.errors import InputError, Problem
from handbook.layout import PROGRAM_FILE, Layout

PACKAGE = Path(i18n.__file__).parent
TEMPLATE = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "gettext": None}
METHODS = [("**/example/**", "ignore"), ("**/skeleton/**", "ignore"), ("**.py", "python"),
           ("templates/**.j2", "jinja2.ext:babel_extract")]
OPTIONS = {"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true", "trim_blocks": "true",
                               "lstrip_blocks": "true"}}
HEADER = "The generator's own words in handbook's outputs. The coordinator's text is not in here."


def extract() -> Catalog:
    """Return every message of the package's code and templates, with where each is used."""
    catalog = Catalog(domain=i18n.DOMAIN, project="handbook", header_comment=f"# {HEADER}",
                      charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), METHODS, OPTIONS, keywords=KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _write(catalog: Catalog, path: Path, **options: object) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, omit_header=False, **options)  # type: ignore[arg-type]
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or _body(path.read_bytes()) != _body(data):  # not for a new date in the header
        path.write_bytes(data)
    return data


def _body(data: bytes) -> bytes:
    return b"\n".join(line for line in data.splitlines() if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision')))


def read(path: Path, language: Optional[str] = None) -> Catalog:
    """Read a .po or .pot file."""
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=i18n.DOMAIN)


def update(languages: tuple[str, ...] = ()) -> list[Path]:
    """Write the template and merge it into every shipped catalog (and new ones for `languages`); return the files written."""
    template = extract()
    _write(template, TEMPLATE, ignore_obsolete=True, include_previous=False)
    written = [TEMPLATE]
    for language in sorted(set(i18n.shipped_languages()[1:]) | set(languages)):
        path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
        catalog = read(path, language) if path.is_file() else Catalog(locale=language, domain=i18n.DOMAIN,
                                                                       project="handbook", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
        _write(catalog, path, ignore_obsolete=True)
        written.append(path)
    return written


PROJECT_HEADER = """\
# {language}: your own words for what handbook writes, read by every build of this project
# when program.yaml says `language: {language}`.
#
# Each entry is one message: `msgid` is handbook's English (keep it exactly as it is), `msgstr`
# the words your handbook shows. {start}
# Keep `%(name)s` placeholders as they are (in any order) and write %% for a percent sign.
# Delete the entries you do not change: they keep following handbook's own words when it is
# updated. `handbook check` reports, with the line, a msgid handbook does not have."""
START_SHIPPED = "Each msgstr holds the translation handbook ships; change what you want."
START_SOURCE = "Every msgstr is empty: handbook's own English is shown until you write yours."
START_NEW = ("handbook ships no words in this language: every msgstr is empty (handbook's English is\n"
             "# shown) until you fill it in. Plural messages need every msgstr[N].")


def project_catalog(language: str) -> tuple[bytes, int]:
    """Return a project's override file for `language` and its number of messages: every message, with the
    shipped translation to edit (empty for a language handbook ships no catalog for, or English)."""
    template = read(TEMPLATE)
    path = i18n.catalog_path(language)
    shipped = read(path, language) if path is not None else None
    try:
        locale: Optional[Locale] = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = None
    english = language.replace("-", "_").split("_")[0] == i18n.SOURCE_LANGUAGE
    start = START_SHIPPED if shipped is not None else START_SOURCE if english else START_NEW
    catalog = Catalog(locale=locale, domain=i18n.DOMAIN, project="handbook", version=__version__, fuzzy=False,
                      header_comment=PROJECT_HEADER.format(language=language, start=start))
    count = 0
    for message in template:
        if not message.id:
            continue
        own = shipped.get(message.id, message.context) if shipped is not None else None
        if own is not None and own.string and not own.fuzzy:
            string = own.string
        else:
            string = ("",) * catalog.num_plurals if message.pluralizable else ""
        catalog.add(message.id, string, context=message.context, auto_comments=message.auto_comments)
        count += 1
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, no_location=True)
    return buffer.getvalue(), count


def write_project_catalog(root: Path, language: str, *, force: bool = False) -> tuple[Path, int]:
    """Write `locale/<language>.po` into the project at `root` (`handbook messages`); return it and its number of
    messages. Refuses a language tag Babel does not know, and an existing file unless `force`."""
    layout = Layout(Path(root).resolve())
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise InputError([Problem("LANGUAGE", 0, 0, f"{language!r} is no language tag handbook knows",
                                  hint="write a tag such as de, fr, it or pt-BR")]) from None
    if not layout.program.is_file():
        raise InputError([Problem(PROGRAM_FILE, 0, 0, f"no {PROGRAM_FILE} in {layout.root}",
                                  hint="run it in the folder of program.yaml, or pass --project DIR")])
    path = layout.messages_file(language)
    if path.exists() and not force:
        raise InputError([Problem(layout.relative(path), 0, 0, "the file exists already",
                                  hint="keep editing it, or write it again with --force (your changes to it are lost)")],
                         summary="nothing was written.")
    data, count = project_catalog(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, count
