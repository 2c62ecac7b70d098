"""Render the handbook as a book, pure: the chapters of the site laid out for paper."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from markupsafe import Markup

from handbook.load.project import ContentPage, Loaded
from handbook.plan.schedule import midpoint_check_in
from handbook.render.printing import (
    Batch,
    Output,
    _meta,
    _render,
    _skeleton,
    content_html,
    downloads,
    print_environment,
    shown_template,
    stylesheet,
)

# --- the handbook -------------------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    """A chapter of the book: its anchor, title, what renders it, and its sections for the contents."""

    id: str
    title: str
    kind: str  # "program" (a block of the handbook template) or "content" (a content page)
    sections: tuple[tuple[str, str], ...] = ()  # (anchor, title)
    body: Markup = Markup("")


def page_anchor(site_path: str) -> str:
    """Return the book anchor of a site page, e.g. `training/index.md` -> `training-index`."""
    return re.sub(r"[^a-z0-9]+", "-", site_path.removesuffix(".md").lower()).strip("-")


def chapters(loaded: Loaded) -> tuple[Chapter, ...]:
    """Return the chapters of the book in the site's order, content pages where the site puts them."""
    program = loaded.program
    anchors = {"index.md": "overview", "benefits.md": "benefits", "goals.md": "goals", "roles.md": "roles",
               "guidelines.md": "guidelines", "confidentiality.md": "confidentiality",
               "training/index.md": "training", "challenges/index.md": "challenges",
               "playbooks/index.md": "playbooks", "implementation.md": "implementation",
               "matching.md": "matching", "monitoring.md": "monitoring", "closure.md": "closure",
               "about.md": "about", "downloads.md": "downloads"}
    anchors.update({f"training/{m.id}.md": f"module-{m.id}" for m in program.training.modules})
    anchors.update({f"challenges/{c.id}.md": f"challenge-{c.id}" for c in program.challenges})
    anchors.update({f"playbooks/{p.id}.md": f"playbook-{p.id}" for p in program.playbooks})
    anchors.update({page.name: page_anchor(f"page/{page.name}") for page in loaded.pages})

    def content(page: ContentPage) -> Chapter:
        return Chapter(anchors[page.name], page.title, "content", body=content_html(page, anchors))

    ordered = sorted(loaded.pages, key=lambda p: (p.order, p.name))
    start = [content(p) for p in ordered if p.placement == "start"]
    end = [content(p) for p in ordered if p.placement == "end"]
    program_chapters = [
        Chapter("overview", "Overview", "program"),
        *start,
        Chapter("benefits", "Benefits", "program", tuple((f"benefit-{b.id}", b.title) for b in program.benefits)),
        Chapter("goals", "Goals", "program", tuple((f"goal-{g.id}", g.title) for g in program.goals)),
        Chapter("roles", "Roles", "program", tuple((f"role-{r.id}", r.title) for r in program.overview.roles)),
        Chapter("guidelines", "Guidelines", "program"),
        Chapter("confidentiality", "Confidentiality", "program"),
        Chapter("training", "Training", "program",
                tuple((f"module-{m.id}", m.title) for m in program.training.modules)),
        Chapter("challenges", "Challenges", "program",
                tuple((f"challenge-{c.id}", c.title) for c in program.challenges)),
        Chapter("playbooks", "Playbooks", "program", tuple((f"playbook-{p.id}", p.title) for p in program.playbooks)),
        Chapter("implementation", "Implementation", "program",
                tuple((f"step-{s.id}", s.title) for s in program.implementation)),
        Chapter("matching", "Matching", "program"),
        Chapter("monitoring", "Monitoring and evaluation", "program"),
        Chapter("closure", "Closure and rematching", "program"),
        Chapter("about", "About this program", "program"),
        Chapter("downloads", "Agreement and forms", "program"),
        *end,
    ]
    return tuple(program_chapters)


def handbook_batch(loaded: Loaded, templates: Path | None, fingerprint: str, created: Optional[str]) -> Batch:
    """Return the handbook as a book: cover, contents, every chapter of the site."""
    program = loaded.program
    info = program.program
    env = print_environment(templates)
    head, tail = _skeleton(env, templates, title=f"{info.name}: handbook", language=info.language,
                           body_class="handbook")
    from handbook.plan.standards import assess

    body = _render(env, "handbook.html.j2", templates, program=program, info=info, chapters=chapters(loaded),
                   fingerprint=fingerprint, downloads=downloads(program), midpoint=midpoint_check_in(program),
                   standards=assess(program))
    output = Output("handbook.pdf", body,
                    _meta(program, f"{info.name}: handbook", info.tagline or f"The handbook of {info.name}", created,
                          "handbook"),
                    title="The handbook as a book",
                    description="Everything on the site, with a table of contents and page numbers.")
    css = (stylesheet("print.css", templates), stylesheet("handbook.css", templates))
    return Batch("handbook", shown_template("handbook.html.j2", templates), head, tail, css, (output,), tagged=True)
