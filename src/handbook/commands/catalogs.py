"""The message catalogs: extract the generator's words from the code and templates, keep every catalog current.

`extract()` reads every `_()`, `ngettext()`, `pgettext()`, `N_()` in the package's Python and every
`{{ _() }}` / `{% trans %}` in its templates into a Catalog (the `handbook.pot` template).
`update()` writes `locale/handbook.pot` and merges it into each shipped `.po`: new messages
arrive untranslated, changed ones fuzzy, removed ones obsolete. Translators edit the `.po`
files; `tests/test_catalogs.py` fails while any message lacks a translation or the template
is out of date. Run `python scripts/messages.py` after changing the generator's words.

`project_catalog()` writes the starting point of a project's overrides (`handbook messages`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Optional

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from handbook import i18n

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


def project_catalog(language: str) -> bytes:
    """Return a project's override file for `language`: every message, with the shipped translation to edit."""
    template = extract()
    shipped = read(i18n.catalog_path(language), language) if i18n.catalog_path(language) else None
    catalog = Catalog(locale=i18n._tags(language)[-1] if shipped else None, domain=i18n.DOMAIN,
                      header_comment="# Your own words for what handbook writes. Keep only the messages you change;\n"
                                     "# handbook check reports a message handbook does not have.",
                      project="handbook", fuzzy=False)
    for message in template:
        if not message.id:
            continue
        own = shipped.get(message.id, message.context) if shipped is not None else None
        catalog.add(message.id, own.string if own is not None else ("" if not message.pluralizable else ("", "")),
                    context=message.context)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, no_location=True)
    return buffer.getvalue()
