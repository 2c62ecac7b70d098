"""The hard constraints' definitions, shared by `handbook match` and by `check` on a hand-written cohort.

How two people are compared (a manager, a department: trimmed, case folded; blank matches
nothing), by which keys a manager names a person, and a time zone's offset on a day. Pure and
light: `check` imports this without the matcher's numerical libraries (numpy starts threads at
import, and the build forks its PDF workers only while it runs one thread).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handbook.load.roster import Person

ZONE_HINT = "write a zone such as Europe/Berlin, or an offset such as +01:00"  # what utc_offset reads
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.I)


def utc_offset(zone: str, when: dt.date) -> float | None:
    """Return the UTC offset in hours of a zone name or offset text on `when`, or None if unknown."""
    text = zone.strip()
    if text.upper() in {"UTC", "GMT", "Z"}:
        return 0.0
    match = _OFFSET.match(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return sign * (int(match.group(2)) + int(match.group(3) or 0) / 60)
    try:
        info = ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    noon = dt.datetime.combine(when, dt.time(12), info)
    offset = noon.utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else None


def match_key(text: str) -> str:
    """Return how the hard constraints compare a manager, a department or a name: trimmed, lower-cased.

    A blank key ("") never equals another: missing data breaks no constraint.
    """
    return text.strip().lower()


def manager_keys(person: Person) -> set[str]:
    """Return the keys by which someone's `manager` can name this person: their id, name and email."""
    return {match_key(k) for k in (person.id, person.name, person.email) if k.strip()}
