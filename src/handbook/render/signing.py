"""The list of groups that must sign again, as the CSV file build/private/re-sign.csv (personal data).

Its columns are keys a spreadsheet or a mail merge reads, the same in every language: group,
language, members, emails (`; `-separated), signed (as cohort.yaml records it) and current (the
fingerprint the group's agreement prints now).
"""

from __future__ import annotations

import csv
import io
from typing import Sequence

from handbook.load.cohort import Cohort
from handbook.plan.signing import ReSign

COLUMNS = ("group", "language", "members", "emails", "signed", "current")


def re_sign_csv(cohort: Cohort, groups: Sequence[ReSign]) -> str:
    """Return the CSV of `groups`: a header line, then a row per group, in cohort order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in groups:
        people = cohort.members(item.group)
        writer.writerow((item.group.id, item.language, "; ".join(p.name for p in people),
                         "; ".join(p.email for p in people), item.signed, item.current))
    return out.getvalue()
