"""Which groups must sign again: those whose recorded signature (`signed:` in cohort.yaml) is not the current text.

A group records the fingerprint printed on the agreement it signed, or the program's version. A
fingerprint is compared with the current fingerprint of the group's language (each language's
terms are their own text); a version with the current version, which cannot tell a reworded text
within one version, so the fingerprint is the better record. A group with no record is left out:
nothing says what it signed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from handbook.load.cohort import Cohort, Group

FINGERPRINT = re.compile(r"^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$")


@dataclass(frozen=True)
class ReSign:
    """A group whose signed text is not the current one."""

    group: Group
    language: str
    signed: str  # as cohort.yaml records it
    current: str  # the current fingerprint of the group's language


def must_sign_again(cohort: Cohort, source_language: str, version: str,
                    fingerprints: Mapping[str, str], same_words: tuple[str, ...] = ()) -> tuple[ReSign, ...]:
    """Return the groups of `cohort` whose recorded signature is neither the current fingerprint of their language
    (`fingerprints` by language) nor, when it is a version, the current `version`.

    `same_words`: the fingerprint and version of the version before (program.yaml's `previous:`) when
    its agreement has the same words in the source language, only another version and date: a group
    of the source language that signed it need not sign again.
    """
    found = []
    for group in cohort.groups:
        if not group.signed:
            continue
        language = cohort.language(group, source_language)
        current = fingerprints[language]
        signed = group.signed.strip().lower()
        if signed == current or (not FINGERPRINT.match(signed) and group.signed.strip() == version):
            continue
        if language == source_language and (signed in same_words or group.signed.strip() in same_words):
            continue
        found.append(ReSign(group, language, group.signed, current))
    return tuple(found)
