"""The coordinator's monitoring report (build/private/monitoring.html), pure: HTML with inline SVG charts.

Charts are drawn by matplotlib (imported when a report is made) as static SVG with text kept as
text (`svg.fonttype: none`: readable by screen readers, no font embedded or fetched), a fixed
hash salt and no date, so the same returns give the same file. Each chart has a table of the
same figures beside it, for those who would rather read. Every word is the catalog's, in the
current language; steps and questions are printed as written; groups' answers are escaped.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from typing import Any, Optional, Sequence

from markupsafe import Markup

from handbook import i18n
from handbook.i18n import _, ngettext
from handbook.model import Program
from handbook.plan.monitoring import (
    K_ANONYMITY,
    Figure,
    Monitoring,
    monitoring,
    public_figures,
)
from handbook.plan.pages import FORMS
from handbook.render.printing import form_group_size
from handbook.render.templating import environment, render

INK, SOFT, PALE = "#1a237e", "#7986cb", "#e8eaf6"
PROGRESS_COLOURS = ("#2e7d32", "#f9a825", "#c62828")  # yes, partly, not yet
_RC = {"svg.fonttype": "none", "svg.hashsalt": "handbook", "font.size": 10, "font.family": "sans-serif",
       "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#999999"}


def form_title(slug: str) -> str:
    """Return a form's title in the current language."""
    return _(next(title for form, title, _text in FORMS if form == slug))


def _svg(figure: Any, label: str) -> Markup:
    """Return `figure` as an inline SVG element named `label` for screen readers."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    return Markup(svg)


def _figure(height: float) -> Any:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.5, height))
        return figure, figure.add_subplot()


def _wrap(text: str, width: int = 48) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def returned_chart(report: Monitoring) -> Markup:
    """Bars per form: how many are expected, due by now and returned."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        figure, axes = _figure(0.9 + 0.75 * len(report.forms))
        names = [form_title(status.form.slug) for status in report.forms][::-1]
        rows = list(range(len(names)))
        statuses = report.forms[::-1]
        for offset, (label, values, colour) in enumerate((
                (_("expected"), [s.expected for s in statuses], PALE),
                (_("due by now"), [s.due for s in statuses], SOFT),
                (_("returned"), [s.returned for s in statuses], INK))):
            bars = axes.barh([r + (1 - offset) * 0.27 for r in rows], values, height=0.26, color=colour, label=label,
                             edgecolor=INK, linewidth=0.5)
            axes.bar_label(bars, padding=3, fontsize=8)
        axes.set_yticks(rows, names)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
        axes.margins(x=0.08)
        return _svg(figure, _("Returned forms against those due and expected"))


def progress_chart(report: Monitoring) -> Markup:
    """One bar of the goals' progress in the latest check-ins: yes, partly, not yet."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        figure, axes = _figure(1.3)
        left = 0
        for label, count, colour in zip(progress_labels(), report.progress, PROGRESS_COLOURS):
            if count:
                axes.barh([0], [count], left=left, color=colour, height=0.5, label=f"{label}: {count}")
                axes.text(left + count / 2, 0, str(count), ha="center", va="center", color="white", fontsize=9)
            left += count
        axes.set_yticks([])
        axes.spines["left"].set_visible(False)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, frameon=False, fontsize=8)
        return _svg(figure, _("Progress on goals in the latest check-ins"))


def sessions_chart(report: Monitoring, minimum: int) -> Markup:
    """How many groups have held how many sessions, with the program's minimum marked."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        figure, axes = _figure(2.4)
        counts: dict[int, int] = {}
        for value in report.sessions.values():
            counts[value] = counts.get(value, 0) + 1
        axes.bar(list(counts), list(counts.values()), color=SOFT, edgecolor=INK, linewidth=0.5, width=0.8)
        axes.axvline(minimum - 0.5, color=PROGRESS_COLOURS[2], linestyle="--", linewidth=1)
        tallest = max(counts.values(), default=1)
        axes.set_ylim(0, tallest * 1.2)  # room above the bars for the minimum's label
        axes.text(minimum - 0.4, tallest * 1.17, _("at least %(count)s", count=minimum),
                  color=PROGRESS_COLOURS[2], fontsize=8, va="top", ha="left")
        axes.set_xlim(-0.6, max([minimum, *counts]) + 0.6)
        axes.set_xlabel(_("sessions held"))
        axes.set_ylabel(_("groups"))
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.yaxis.get_major_locator().set_params(integer=True)
        return _svg(figure, _("Sessions held per group"))


def steps_chart(report: Monitoring) -> Markup:
    """Bars per closing step: how many reflections ticked it."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        figure, axes = _figure(0.6 + 0.7 * len(report.steps))
        rows = list(range(len(report.steps)))[::-1]
        bars = axes.barh(rows, [count for _step, count in report.steps], color=SOFT, edgecolor=INK, linewidth=0.5)
        axes.bar_label(bars, padding=3, fontsize=8)
        axes.set_yticks(rows, [_wrap(step) for step, _count in report.steps], fontsize=8)
        axes.set_xlim(0, max(report.reflections, 1))
        axes.xaxis.get_major_locator().set_params(integer=True)
        return _svg(figure, _("Closing steps ticked in the closure reflections"))


def progress_labels() -> tuple[str, ...]:
    """The answers of "how far has this goal come", as the check-in prints them."""
    return (_("yes"), _("partly"), _("not yet"))


def monitoring_html(program: Program, report: Monitoring, group_sizes: dict[str, int],
                    collected: Sequence[str] = ()) -> str:
    """Return the coordinator-only monitoring report as one self-contained HTML page, in the current language."""
    env = environment("report", None)
    charts = {"returned": returned_chart(report)}
    if report.progress_groups:
        charts["progress"] = progress_chart(report)
    if report.sessions:
        charts["sessions"] = sessions_chart(report, program.guidelines.meetings.minimum_sessions)
    if report.reflections:
        charts["steps"] = steps_chart(report)
    return render(env, "monitoring.html.j2", None, program=program, info=program.program, report=report,
                  charts=charts, title=form_title, progress_labels=progress_labels(), group_sizes=group_sizes,
                  collected=collected)


# --- the site's figures -----------------------------------------------------------------------


def _cell(count: Optional[int]) -> str:
    return _("fewer than %(count)s", count=K_ANONYMITY) if count is None else i18n.current().number(count)


def _table_text(text: str) -> str:
    """Return user text for a Markdown table cell: as written, its pipes and line breaks made harmless."""
    return " ".join(text.split()).replace("|", "\\|")


def site_results(figures: Sequence[Figure], today: dt.date) -> str:
    """Return the site's "Results so far" as Markdown: aggregates only (`plan.monitoring.public_figures`).

    Empty when no figure has enough respondents. Never a group, never free text, never a file.
    """
    if not figures:
        return ""
    rows = []
    for figure in figures:
        if figure.kind == "returned":
            rows.append((_("%(form)s returned", form=form_title(figure.label)),
                         _("%(returned)s of %(expected)s", returned=_cell(figure.parts[0]),
                           expected=i18n.current().number(figure.total))))
        elif figure.kind == "progress":
            parts = " · ".join(f"{label}: {_cell(count)}" for label, count in zip(progress_labels(), figure.parts))
            rows.append((ngettext("Progress on goals (%(num)s group)", "Progress on goals (%(num)s groups)",
                                  figure.respondents), parts))
        elif figure.kind == "sessions":
            rows.append((ngettext("Sessions held, median (%(num)s group)", "Sessions held, median (%(num)s groups)",
                                  figure.respondents), _cell(figure.parts[0])))
        else:
            rows.append((_("Closing step: %(step)s", step=_table_text(figure.label)),
                         _("%(ticked)s of %(count)s reflections", ticked=_cell(figure.parts[0]),
                           count=i18n.current().number(figure.respondents))))
    heading, figure_head, result_head = _("Results so far"), _("Figure"), _("Result")
    lines = [f"## {heading}", "",
             _("As of %(date)s, from the forms groups returned. A figure is shown only when at least %(count)s "
               "groups or people answered, and a smaller count reads \"fewer than %(count)s\": no group can be "
               "recognised.", date=i18n.current().date(today), count=K_ANONYMITY), "",
             f"| {figure_head} | {result_head} |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in rows]
    return "\n".join(lines) + "\n"


def as_of(source_date: Optional[str]) -> dt.date:
    """Return the day figures are given for: SOURCE_DATE_EPOCH's (a W3C date-time) when set, else today."""
    return dt.date.fromisoformat(source_date[:10]) if source_date else dt.date.today()


def results_markdown(loaded: Any) -> str:
    """Return the site's "Results so far" for a loaded project: "" without a cohort or returned forms."""
    returns, cohort = getattr(loaded, "returns", ()), getattr(loaded, "cohort", None)
    if not returns or cohort is None:
        return ""
    size = form_group_size(loaded.program, cohort)
    report = monitoring(loaded.program, cohort, list(returns), as_of(getattr(loaded, "source_date", None)), size)
    return site_results(public_figures(report), report.today)
