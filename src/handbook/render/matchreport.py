"""What `handbook match` writes, pure: the cohort file's text and the coordinator's report.

Both are in the program's language (the words of the current `i18n.using` block): the cohort
file's header comment, and every heading, label and explanation of the report, with numbers,
dates and lists formatted as that language writes them. Names, roster values and criterion
descriptions are printed as written. Groups of any size are described as what they are: pairs,
triads, circles of four to seven.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import yaml
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from handbook import i18n
from handbook.i18n import N_, _, ngettext
from handbook.load.roster import REQUIRED_COLUMNS, Person
from handbook.model import Program
from handbook.plan.matching import CONSTRAINT_NAMES, Group, MatchResult
from handbook.render.templating import environment, render


def _cohort_header(name: str, roster: str) -> str:
    """Return the comment at the top of a cohort file, one `# ` line per sentence."""
    lines = [_("%(name)s: participants and the groups `handbook match` formed from %(roster)s.", name=name,
               roster=roster),
             _("PERSONAL DATA: used for agreements and calendars only, never for the handbook site."),
             _("Edit freely: move people between groups, change start dates. Run `handbook check` afterwards.")]
    return "".join(f"# {line}\n" for line in lines)


class _FlowList(list):  # type: ignore[type-arg]
    """A list written on one line: `members: [a, b]`."""


# libyaml's emitter, where PyYAML has it, writes the same text three times as fast (20,000 people: 3 s, not 10).
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_SafeDumper):  # type: ignore[misc, valid-type]
    """Block style, no anchors and aliases (each group has its own start date)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


GROUP_NOUNS = {2: "pair", 3: "triad"}  # larger groups are circles


def group_ids(groups: Sequence[Group]) -> list[str]:
    """Return ids for the groups, numbered per kind: pair-01, triad-01 for three, circle-01 for four to seven."""
    ids: list[str] = []
    counts: dict[str, int] = {}
    for group in groups:
        noun = GROUP_NOUNS.get(len(group.members), "circle")
        counts[noun] = counts.get(noun, 0) + 1
        ids.append(f"{noun}-{counts[noun]:02d}")
    return ids


def _attribute_key(column: str) -> str:
    return column if column[:1].isalpha() else f"c_{column}"


def cohort_yaml(result: MatchResult, people: Sequence[Person], *, start: dt.date, name: str, roster: str) -> str:
    """Return the cohort file for a match: every person once, then the groups."""
    participants = []
    for person in sorted(people, key=lambda p: p.id):
        entry: dict[str, object] = {"id": person.id, "name": person.name, "email": person.email}
        if person.department:
            entry["department"] = person.department
        if person.manager:
            entry["manager"] = person.manager
        if person.timezone:
            entry["timezone"] = person.timezone
        if person.attributes.get("language"):  # the language the person reads their papers in
            entry["language"] = person.attributes["language"]
        extra = {_attribute_key(k): v for k, v in sorted(person.attributes.items())
                 if k not in REQUIRED_COLUMNS and k not in ("timezone", "language") and v}
        if extra:
            entry["attributes"] = extra
        participants.append(entry)
    groups = [{"id": gid, "members": _FlowList(m.id for m in group.members), "start": start}
              for gid, group in zip(group_ids(result.groups), result.groups)]
    body = yaml.dump({"name": name, "participants": participants, "groups": groups}, Dumper=_Dumper,
                     sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return _cohort_header(name, roster) + "\n" + body


@dataclass(frozen=True)
class Reason:
    """Why a criterion scored what it did for a group, in words."""

    column: str
    prefer: str
    points: float
    most: float
    detail: str


def _detail(members: Sequence[Person], column: str, prefer: str) -> str:
    sets = [m.values(column) for m in members]
    if not all(sets):
        return _("not answered by everyone")
    if prefer == "similar":
        shared = sorted(set.intersection(*map(set, sets)))
        if shared:
            return _("shared: %(values)s", values=", ".join(shared))
        return _("different: %(values)s", values=" / ".join(", ".join(sorted(s)) for s in sets))
    unique = [sorted(s - set().union(*(o for o in sets if o is not s))) for s in sets]
    brings = [_("%(name)s brings %(values)s", name=m.name.split()[0], values=", ".join(u))
              for m, u in zip(members, unique) if u]
    return "; ".join(brings) if brings else _("the same: %(values)s", values=", ".join(sorted(sets[0])))


def reasons(group: Group, program: Program) -> list[Reason]:
    """Return, per criterion, the points a group got, the most it could get, and why."""
    total_weight = sum(c.weight for c in program.matching.criteria)
    points = dict(group.breakdown)
    return [Reason(c.column, c.prefer, points.get(c.column, 0.0), round(100 * c.weight / total_weight, 2),
                   _detail(group.members, c.column, c.prefer)) for c in program.matching.criteria]


# Translated where shown: the constraints by the name matching gives them, the ways a criterion scores.
CONSTRAINTS = {CONSTRAINT_NAMES["manager"]: N_("Same manager or reporting line"),
               CONSTRAINT_NAMES["department"]: N_("Same department"),
               CONSTRAINT_NAMES["timezone"]: N_("Time-zone gap"),
               CONSTRAINT_NAMES["previous"]: N_("Previous partners")}
# Translators: how a matching criterion scores a group, shown after the roster column's name.
PREFER = {"similar": N_("similar values"), "complementary": N_("complementary values")}


def group_kinds(groups: Sequence[Group]) -> str:
    """Return how many groups of each size there are, in words: 49 pairs and 1 triad; 2 triads and 1 circle of 4."""
    sizes = Counter(len(g.members) for g in groups)
    kinds = []
    for size, count in sorted(sizes.items()):
        if size == 2:
            kinds.append(ngettext("%(num)s pair", "%(num)s pairs", count))
        elif size == 3:
            kinds.append(ngettext("%(num)s triad", "%(num)s triads", count))
        else:
            kinds.append(ngettext("%(num)s circle of %(size)s", "%(num)s circles of %(size)s", count,
                                  size=i18n.current().number(size)))
    return i18n.current().list(kinds)


def score(value: float) -> str:
    """Return a score with one decimal, as the language writes numbers: 72.5, 72,5."""
    return format_decimal(value, "#,##0.0", locale=i18n.current().locale)


def change(ratio: float) -> str:
    """Return a signed percentage with one decimal, as the language writes it: +1.2%, +1,2 %."""
    pattern = i18n.current().locale.percent_formats[None].pattern.split(";")[0]
    signed = f"{pattern.replace('#,##0', '+#,##0.0')};{pattern.replace('#,##0', '-#,##0.0')}"
    return format_percent(ratio, signed, locale=i18n.current().locale)


def report_html(program: Program, result: MatchResult, *, roster: str, greedy_total: float | None,
                start: dt.date, seconds: float | None = None) -> str:
    """Return the coordinator-only match report as a self-contained HTML page, in the current language."""
    env = environment("report", None)
    env.filters.update({"score": score, "change": change})
    ids = group_ids(result.groups)
    rows = [(gid, group, reasons(group, program)) for gid, group in zip(ids, result.groups)]
    return render(env, "match-report.html.j2", None, program=program, info=program.program, result=result,
                  rows=rows, roster=Markup("<code>%s</code>") % roster, greedy_total=greedy_total, start=start,
                  people=sum(len(g.members) for g in result.groups), kinds=group_kinds(result.groups),
                  pairs_only=program.matching.group_size == 2,
                  constraints=[(_(CONSTRAINTS.get(name, name)), count) for name, count in result.removed_by],
                  prefer={key: _(text) for key, text in PREFER.items()},
                  lowest_id=ids[result.groups.index(result.lowest)])
