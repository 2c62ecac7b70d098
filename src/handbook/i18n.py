"""The generator's own words in the program's language, and dates, numbers and lists as that language writes them.

Every word the generator writes itself (headings, labels, the agreement's fixed text, calendar
summaries, ...) is a message in a gettext catalog: `locale/<lang>/LC_MESSAGES/handbook.po` in the
package, English being the source language (the msgids). A project may override any message for
its own language with `locale/<lang>.po` beside program.yaml (only the messages it changes).
The coordinator's own text from program.yaml is never translated or changed.

Python code asks for words with `_()`, `ngettext()`, `pgettext()` and marks constants with `N_()`;
templates use `{{ _("...") }}` and `{% trans %}` (Jinja2's i18n extension, new style: named
placeholders `%(name)s`, formatted by the call). Which language is meant is the context's: a
stage sets it with `using(messages(...))` around the work of one program (or one group), so the
renderers stay pure functions of their arguments and the language.

Dates, times, numbers, durations and lists are formatted with Babel for the same language:
`1 October 2026` / `1. Oktober 2026` / `1 octobre 2026`, `90 minutes` / `90 Minuten`.

This module sits beside errors, model and layout: it imports nothing of the package.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext as gettext_module
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from babel.units import format_unit
from jinja2 import pass_context
from markupsafe import escape

DOMAIN = "handbook"
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
PROJECT_LOCALE_DIR = "locale"  # a project's overrides: locale/<lang>.po beside program.yaml

# Bare `en` writes dates as most English-speaking organisations outside the US do (1 October
# 2026); `en-US` writes October 1, 2026.
_FORMAT_LOCALE = {"en": "en_GB"}


def N_(message: str) -> str:  # noqa: N802 (gettext's own name)
    """Mark `message` for the catalog without translating it now (translate it with `_()` where it is shown)."""
    return message


def _tags(language: str) -> list[str]:
    """Return the catalog names to try for a language tag, most specific first: de-CH -> de_CH, de."""
    tag = language.replace("-", "_")
    base = tag.split("_")[0]
    return [tag, base] if base != tag else [tag]


def format_locale(language: str) -> Locale:
    """Return the Babel locale that formats dates and numbers for `language` (English when unknown)."""
    for tag in _tags(language):
        try:
            return Locale.parse(_FORMAT_LOCALE.get(tag, tag))
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(_FORMAT_LOCALE[SOURCE_LANGUAGE])


def shipped_languages() -> tuple[str, ...]:
    """Return the languages the generator ships a catalog for, the source language first."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LANGUAGE, *found)


def catalog_path(language: str) -> Optional[Path]:
    """Return the shipped catalog for `language` (de-CH falls back to de), or None for English or an unknown one."""
    for tag in _tags(language):
        path = LOCALE_DIR / tag / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    return None


def read_catalog(data: bytes, language: str) -> Catalog:
    """Parse a .po file's bytes (raises ValueError/SyntaxError-like errors on a broken file)."""
    try:
        locale: Any = Locale.parse(_tags(language)[-1])
    except (UnknownLocaleError, ValueError):
        locale = None
    return read_po(io.BytesIO(data), locale=locale, domain=DOMAIN, abort_invalid=True)


def _translations(catalog: Catalog) -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@functools.lru_cache(maxsize=32)
def _shipped(language: str) -> gettext_module.NullTranslations:
    path = catalog_path(language)
    if path is None:
        return gettext_module.NullTranslations()
    return _translations(read_catalog(path.read_bytes(), language))


def language_name(tag: str, in_language: Locale | str | None = None, *, alone: bool = False) -> str:
    """Return the name of the language `tag` in `in_language` (by default in itself: de -> Deutsch, de-CH -> Deutsch
    (Schweiz)), capitalised when `alone` (a switch's entry: "Français"); for a region Babel lacks, its language's
    name; the tag itself when Babel knows neither."""
    for candidate in (tag, tag.split("-")[0]):
        try:
            locale = Locale.parse(candidate.replace("-", "_"))
            name = locale.get_display_name(in_language or locale)
        except (ValueError, UnknownLocaleError):
            continue
        if name:
            return name[:1].upper() + name[1:] if alone else name
    return tag


@dataclass(frozen=True, eq=False)
class Messages:
    """The generator's words and formats for one language (with a project's overrides)."""

    language: str  # the program's language tag, e.g. `de` or `en-US`
    translations: gettext_module.NullTranslations
    locale: Locale

    # --- words --------------------------------------------------------------------------
    def gettext(self, message: str, **values: Any) -> str:
        """Return `message` in this language, with `%(name)s` placeholders filled from `values`."""
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """Return the form for `n` in this language; `%(num)s` is `n` unless given."""
        values.setdefault("num", self.number(n))
        return self.translations.ngettext(singular, plural, n) % values

    def pgettext(self, context: str, message: str, **values: Any) -> str:
        """Return `message` in `context` (the same English word meant two ways) in this language."""
        text = self.translations.pgettext(context, message)
        return text % values if values else text

    def npgettext(self, context: str, singular: str, plural: str, n: int, **values: Any) -> str:
        values.setdefault("num", self.number(n))
        return self.translations.npgettext(context, singular, plural, n) % values

    # --- formats ------------------------------------------------------------------------
    def language_name(self, tag: str, *, alone: bool = False) -> str:
        """Return the name of the language `tag` in this language as a sentence writes it ("German", "Deutsch",
        "allemand"), or capitalised as a name standing alone (`alone`: "Allemand")."""
        return language_name(tag, self.locale, alone=alone)

    def date(self, value: Optional[dt.date], length: str = "long") -> str:
        """Return a date as this language writes it: 1 October 2026, 1. Oktober 2026 (`short`: 01.10.26)."""
        return "" if value is None else format_date(value, length, locale=self.locale)

    def weekday(self, value: dt.date) -> str:
        """Return the name of the day of the week: Tuesday, Dienstag."""
        return format_date(value, "EEEE", locale=self.locale)

    def time(self, value: Optional[dt.time]) -> str:
        """Return a time of day: 10:00 (10:00 AM in en-US)."""
        return "" if value is None else format_time(value, "short", locale=self.locale)

    def number(self, value: float) -> str:
        """Return a number: 1,5 in German, 1.5 in English."""
        return format_decimal(value, locale=self.locale)

    def _unit(self, value: float, unit: str) -> str:
        return format_unit(value, unit, length="long", locale=self.locale)

    def minutes(self, value: float) -> str:
        """Return a duration in minutes: 90 minutes, 90 Minuten."""
        return self._unit(value, "duration-minute")

    def hours(self, value: float) -> str:
        """Return a duration in hours: 1.5 hours, 1,5 Stunden."""
        return self._unit(value, "duration-hour")

    def weeks(self, value: float) -> str:
        """Return a duration in weeks: 2 weeks, 2 Wochen."""
        return self._unit(value, "duration-week")

    def months(self, value: float) -> str:
        """Return a duration in months: 6 months, 6 Monate."""
        return self._unit(value, "duration-month")

    def list(self, items: Iterable[Any], style: str = "standard") -> str:
        """Return items joined as this language joins them: a, b and c; a, b und c (`or`: a, b or c)."""
        return format_list([str(item) for item in items], style=style, locale=self.locale)


def _override_key(path: Optional[Path]) -> tuple[str, int, int] | None:
    if path is None or not path.is_file():
        return None
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


def messages(language: str, overrides: Optional[Path] = None) -> Messages:
    """Return the words and formats for `language`, with a project's `locale/<lang>.po` over them when given.

    `overrides` is a project's .po file; it has been checked by `load` (a broken one never gets here).
    """
    return _messages(language, _override_key(overrides))


@functools.lru_cache(maxsize=32)
def _messages(language: str, override: tuple[str, int, int] | None) -> Messages:
    shipped = _shipped(language)
    if override is not None:
        own = _translations(read_catalog(Path(override[0]).read_bytes(), language))
        if isinstance(shipped, Translations):
            merged = _translations(read_catalog(catalog_path(language).read_bytes(), language))  # type: ignore[union-attr]
            merged.merge(own)
            shipped = merged
        else:
            shipped = own
    return Messages(language, shipped, format_locale(language))


_CURRENT: contextvars.ContextVar[Messages] = contextvars.ContextVar("handbook_messages")


def current() -> Messages:
    """Return the messages of the work in progress (English when no stage set a language)."""
    try:
        return _CURRENT.get()
    except LookupError:
        return messages(SOURCE_LANGUAGE)


@contextlib.contextmanager
def using(words: Messages) -> Iterator[Messages]:
    """Write in `words`' language for the duration of the block (per thread and task)."""
    token = _CURRENT.set(words)
    try:
        yield words
    finally:
        _CURRENT.reset(token)


def _(message: str, **values: Any) -> str:
    """Return `message` in the current language, `%(name)s` placeholders filled from `values`."""
    return current().gettext(message, **values)


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    """Return the singular or plural form for `n` in the current language (`%(num)s` is `n`)."""
    return current().ngettext(singular, plural, n, **values)


def pgettext(context: str, message: str, **values: Any) -> str:
    """Return `message` meant in `context`, in the current language."""
    return current().pgettext(context, message, **values)


def npgettext(context: str, singular: str, plural: str, n: int, **values: Any) -> str:
    """Return the form for `n` of a message meant in `context`, in the current language."""
    return current().npgettext(context, singular, plural, n, **values)


# --- for Jinja2 templates -------------------------------------------------------------------
# Jinja2's new-style gettext formats the result itself (and escapes values in HTML templates);
# these callables only look the words up in the current language.

def _jinja_gettext(message: str) -> str:
    return current().translations.gettext(message)


def _jinja_ngettext(singular: str, plural: str, n: int) -> str:
    return current().translations.ngettext(singular, plural, n)


def _jinja_pgettext(context: str, message: str) -> str:
    return current().translations.pgettext(context, message)


def _jinja_npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return current().translations.npgettext(context, singular, plural, n)


def _escaped(lookup: Any) -> Any:
    # In HTML, Jinja2 takes a translation for markup: a project's "Sie & wir" or a quote in a
    # tooltip attribute must stay text. (The catalogs hold no markup.)
    return lambda *args: escape(lookup(*args))


def install(env: Any) -> None:
    """Give a Jinja2 environment (with `jinja2.ext.i18n`) the current language's words and format filters."""
    lookups = (_jinja_gettext, _jinja_ngettext, _jinja_pgettext, _jinja_npgettext)
    if env.autoescape:
        lookups = tuple(_escaped(lookup) for lookup in lookups)
    env.install_gettext_callables(gettext=lookups[0], ngettext=lookups[1], pgettext=lookups[2],
                                  npgettext=lookups[3], newstyle=True)
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's line breaks are not part of the message
    def late(method: str) -> Any:
        # pass_context: never folded into a constant when the template is compiled (its language is the
        # one current when it is rendered, not when it was first loaded)
        return pass_context(lambda _context, value, *args: getattr(current(), method)(value, *args))

    env.filters.update({"date": late("date"), "weekday": late("weekday"), "time": late("time"),
                        "number": late("number"), "minutes": late("minutes"), "hours": late("hours"),
                        "weeks": late("weeks"), "months": late("months"), "join_words": late("list")})
