"""The shipped message catalogs: current with the code, complete in every language, safe to format.

Every word the generator writes is a message of `src/handbook/locale/handbook.pot`; each shipped
language (`locale/<lang>/LC_MESSAGES/handbook.po`) translates all of them. After changing the
generator's words, run `python scripts/messages.py`, then translate what is new or fuzzy.
"""

from __future__ import annotations

import io
import re

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo

from handbook import i18n
from handbook.commands import catalogs

LANGUAGES = i18n.shipped_languages()[1:]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
FORMAT_PARTS = re.compile(r"%%|%\(\w+\)[sd]")
SHOWN = 12  # messages listed in a failure, at most


def _key(message: Message) -> tuple[object, str | None]:
    return message.id, message.context


def _listing(messages: list[str]) -> str:
    more = f"\n  ... and {len(messages) - SHOWN} more" if len(messages) > SHOWN else ""
    return "".join(f"\n  {m}" for m in messages[:SHOWN]) + more


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogs.read(catalogs.TEMPLATE)


@pytest.fixture(scope="module", params=LANGUAGES)
def shipped(request: pytest.FixtureRequest) -> Catalog:
    path = i18n.catalog_path(request.param)
    assert path is not None
    return catalogs.read(path, request.param)


def test_german_and_french_are_shipped() -> None:
    assert {"de", "fr"} <= set(LANGUAGES)


def test_the_template_holds_exactly_the_messages_of_the_code_and_templates(template: Catalog) -> None:
    fresh = catalogs.extract()
    committed = {_key(m) for m in template if m.id}
    current = {_key(m) for m in fresh if m.id}
    missing = sorted(repr(k) for k in current - committed)
    stale = sorted(repr(k) for k in committed - current)
    assert not missing and not stale, (
        "src/handbook/locale/handbook.pot is out of date: run `python scripts/messages.py`, then translate "
        f"what is new in every catalog.\nNot in the template:{_listing(missing)}\nNo longer used:{_listing(stale)}")


def test_every_catalog_has_every_message_of_the_template(template: Catalog, shipped: Catalog) -> None:
    missing = sorted(repr(k) for k in {_key(m) for m in template if m.id} - {_key(m) for m in shipped if m.id})
    assert not missing, (f"{shipped.locale}: run `python scripts/messages.py` to merge the template into the "
                         f"catalog; missing:{_listing(missing)}")


def test_every_message_is_translated_in_every_language(shipped: Catalog) -> None:
    untranslated = []
    for message in shipped:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        complete = all(strings) and (not message.pluralizable or len(strings) == shipped.num_plurals)
        if message.fuzzy or not complete:
            untranslated.append(("fuzzy: " if message.fuzzy else "") + repr(message.id))
    assert not untranslated, (f"{shipped.locale}: {len(untranslated)} messages without a (checked) translation in "
                              f"{i18n.catalog_path(str(shipped.locale))}:{_listing(untranslated)}")


def test_translations_keep_exactly_the_placeholders_of_their_message(shipped: Catalog) -> None:
    wrong = []
    for message in shipped:
        if not message.id or not message.string or message.fuzzy:  # fuzzy: not used, and reported above
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for index, text in enumerate(strings):
            if not text:
                continue
            wanted = set(PLACEHOLDER.findall(ids[min(index, len(ids) - 1)] if index == 0 else ids[-1]))
            found = set(PLACEHOLDER.findall(text))
            if found != wanted:
                wrong.append(f"{message.id!r} -> {text!r}: expected {sorted(wanted)}, found {sorted(found)}")
            elif "%" in FORMAT_PARTS.sub("", text) and "%" not in FORMAT_PARTS.sub("", ids[0]):
                wrong.append(f"{message.id!r} -> {text!r}: a lone % (write %% for a percent sign)")
    assert not wrong, f"{shipped.locale}:{_listing(wrong)}"


def test_every_catalog_compiles_and_passes_babels_checks(shipped: Catalog) -> None:
    problems = [f"{message.id!r}: {'; '.join(map(str, errors))}" for message, errors in shipped.check()
                if not message.fuzzy]
    assert not problems, f"{shipped.locale}:{_listing(problems)}"
    buffer = io.BytesIO()
    write_mo(buffer, shipped, use_fuzzy=False)
    assert buffer.getvalue()
    assert i18n.messages(str(shipped.locale)).translations.info().get("language") == str(shipped.locale)


def test_a_plural_reads_right_for_one_and_for_many_in_every_language() -> None:
    english = i18n.messages("en")
    assert english.ngettext("%(num)s training module", "%(num)s training modules", 1) == "1 training module"
    assert english.ngettext("%(num)s training module", "%(num)s training modules", 7) == "7 training modules"
    german = i18n.messages("de")
    assert german.ngettext("%(num)s training module", "%(num)s training modules", 1) == "1 Trainingsmodul"
    assert german.ngettext("%(num)s training module", "%(num)s training modules", 7) == "7 Trainingsmodule"
    french = i18n.messages("fr")
    assert french.ngettext("%(num)s triad", "%(num)s triads", 1) == "1 trinôme"
    assert french.ngettext("%(num)s triad", "%(num)s triads", 3) == "3 trinômes"
