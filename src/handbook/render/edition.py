"""One edition of the handbook: what the site, the book and every PDF of a build share.

Computed once per build from the loaded project and handed to each renderer: the pages of the
handbook (from the registry, `handbook.plan.pages`) and the Markdown of each, rendered once from
its site template, so the site and the book print the same text; the PDFs offered for download;
and the agreement's fingerprint, which the site's downloads page, the book and every agreement
print.

The site templates also get the build's words that need code: how a training session reads
("Tuesday, 8 September 2026, 09:00–10:30, Training room 2"), a training format's name, the
cohort's groups as counts ("12 pairs and 1 triad"; never names: personal data never reaches the
site), all in the language of the work in progress.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import jinja2

from handbook.i18n import _, current, ngettext
from handbook.load.project import Loaded
from handbook.model import Module, Program, Session
from handbook.plan.pages import (
    PROGRAM_CALENDAR,
    Download,
    Page,
    downloads,
    handbook_pages,
)
from handbook.plan.standards import assess
from handbook.render.monitoring import results_markdown
from handbook.render.printing import agreement_fingerprint
from handbook.render.reference import reference_sections
from handbook.render.templating import environment, plain, render


@dataclass(frozen=True)
class Edition:
    """The pages of the handbook and their Markdown, the PDFs offered for download, the agreement's fingerprint."""

    pages: tuple[Page, ...]
    markdown: Mapping[str, str]  # by site path: the page as its template renders it (or as written), no front matter
    downloads: tuple[Download, ...]
    fingerprint: str  # of the agreement's text, e.g. `3f9a-c21b-07e4`


def session_text(session: Session) -> str:
    """Return when (and where) a training session is, as Markdown: Tuesday, 8 September 2026, 09:00–10:30, Room 2."""
    words = current()
    day = {"weekday": words.weekday(session.date), "date": words.date(session.date)}
    if session.start is None:
        when = _("%(weekday)s, %(date)s", **day)
    elif session.finish is None:
        when = _("%(weekday)s, %(date)s, %(start)s", start=words.time(session.start), **day)
    else:
        when = _("%(weekday)s, %(date)s, %(start)s–%(end)s", start=words.time(session.start),
                 end=words.time(session.finish), **day)
    return _("%(when)s, %(place)s", when=when, place=plain(session.place)) if session.place else when


def training_sessions(program: Program) -> list[tuple[Module, Session]]:
    """Return every session of every training module, in date order."""
    found = [(module, session) for module in program.training.modules for session in module.schedule]
    return sorted(found, key=lambda item: (item[1].date, item[1].start or dt.time.min))


def group_counts(sizes: list[int]) -> str:
    """Return the groups of a cohort as counts by size: "12 pairs and 1 triad", "3 groups of four"."""
    parts = []
    for size, count in sorted(Counter(sizes).items()):
        if size == 2:
            parts.append(ngettext("%(num)s pair", "%(num)s pairs", count))
        elif size == 3:
            parts.append(ngettext("%(num)s triad", "%(num)s triads", count))
        else:
            parts.append(ngettext("%(num)s group of %(size)s", "%(num)s groups of %(size)s", count, size=size))
    return current().list(parts)


def template_context(loaded: Loaded, fingerprint: str, offered: tuple[Download, ...]) -> dict[str, Any]:
    """Return what every site template sees besides its page: the program and the build's facts."""
    program = loaded.program
    cohort: Optional[Any] = getattr(loaded, "cohort", None)  # a LoadedProject's; counts only reach the site
    sizes = [len(group.members) for group in cohort.groups] if cohort is not None else []
    return {"program": program, "info": program.program, "fingerprint": fingerprint, "downloads": offered,
            "calendar": PROGRAM_CALENDAR, "standards": assess(program), "sections": reference_sections(),
            "groups": group_counts(sizes) if sizes else "", "when": session_text,
            "training_sessions": training_sessions, "results": results_markdown(loaded)}


def page_markdown(env: jinja2.Environment, loaded: Loaded, page: Page, context: dict[str, Any]) -> str:
    """Return a page's Markdown without front matter: from its site template, or as written in content/."""
    if page.content is not None:
        body = page.content.body
        return body if body.lstrip().startswith("# ") else f"# {plain(page.title)}\n\n{body}"
    assert page.template is not None
    return render(env, page.template, loaded.layout.templates, page=page, **context, **page.context)


def edition(loaded: Loaded) -> Edition:
    """Return the edition of a loaded project: renders the blank agreement (for its fingerprint) and every page."""
    program = loaded.program
    pages = handbook_pages(program, loaded.pages)
    fingerprint = agreement_fingerprint(program)
    offered = downloads(program)
    env = environment("site", loaded.layout.templates)
    context = template_context(loaded, fingerprint, offered)
    markdown = {page.path: page_markdown(env, loaded, page, context) for page in pages}
    return Edition(pages, markdown, offered, fingerprint)
