"""Render the site, pure: the program becomes a tree of Markdown pages and a navigation."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from handbook.load.project import ContentPage, Loaded
from handbook.model import Program
from handbook.plan.standards import assess
from handbook.render.printing import agreement_fingerprint, downloads
from handbook.render.reference import reference_sections
from handbook.render.templating import environment, plain, render

NavItem = Union[str, dict[str, Any]]


@dataclass(frozen=True)
class PageSpec:
    """A generated page: where it goes, its title, its template and what the template sees."""

    path: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteTree:
    """The rendered site: Markdown files by path, other files by path, and the navigation."""

    pages: dict[str, str]
    files: dict[str, bytes]
    nav: list[NavItem]


ASSETS = Path(__file__).parents[1] / "assets"


def title_block(title: str) -> str:
    """Return front matter naming the page's title, HTML-escaped.

    Themes print a page's title into <title> raw (mkdocs-material unescapes it on the way), so a
    title such as `</title><script>` would run; the title from front matter is printed as given.
    """
    escaped = html.escape(" ".join(title.split()), quote=False)
    return f"---\ntitle: {json.dumps(escaped, ensure_ascii=False)}\n---\n\n"


def page_specs(program: Program) -> list[tuple[str, list[PageSpec]]]:
    """Return the generated pages grouped by navigation section ('' for top-level pages)."""
    top = [
        PageSpec("index.md", "Overview", "index.md.j2"),
        PageSpec("benefits.md", "Benefits", "benefits.md.j2"),
        PageSpec("goals.md", "Goals", "goals.md.j2"),
        PageSpec("roles.md", "Roles", "roles.md.j2"),
        PageSpec("guidelines.md", "Guidelines", "guidelines.md.j2"),
        PageSpec("confidentiality.md", "Confidentiality", "confidentiality.md.j2"),
    ]
    training = [PageSpec("training/index.md", "Curriculum", "training.md.j2")] + [
        PageSpec(f"training/{m.id}.md", m.title, "module.md.j2", {"module": m}) for m in program.training.modules
    ]
    challenges = [PageSpec("challenges/index.md", "All challenges", "challenges.md.j2")] + [
        PageSpec(f"challenges/{c.id}.md", c.title, "challenge.md.j2", {"challenge": c})
        for c in program.challenges
    ]
    playbooks = [PageSpec("playbooks/index.md", "All playbooks", "playbooks.md.j2")] + [
        PageSpec(f"playbooks/{p.id}.md", p.title, "playbook.md.j2", {"playbook": p}) for p in program.playbooks
    ]
    running = [
        PageSpec("implementation.md", "Implementation", "implementation.md.j2"),
        PageSpec("matching.md", "Matching", "matching.md.j2"),
        PageSpec("monitoring.md", "Monitoring and evaluation", "monitoring.md.j2"),
        PageSpec("closure.md", "Closure and rematching", "closure.md.j2"),
        PageSpec("about.md", "About this program", "about.md.j2", {"standards": assess(program)}),
        PageSpec("downloads.md", "Agreement and downloads", "downloads.md.j2",
                 {"fingerprint": agreement_fingerprint(program), "downloads": downloads(program)}),
    ]
    return [("", top), ("Training", training), ("Challenges", challenges), ("Playbooks", playbooks),
            ("", running)]


def reserved_names() -> set[str]:
    """Return the top-level page names the generator owns (content pages may not use them)."""
    return {"index.md", "benefits.md", "goals.md", "roles.md", "guidelines.md", "confidentiality.md",
            "implementation.md", "matching.md", "monitoring.md", "closure.md", "reference.md", "about.md",
            "downloads.md",
            "training.md", "challenges.md", "playbooks.md", "assets.md"}


def _nav_entry(spec: PageSpec) -> dict[str, str]:
    return {spec.title: spec.path}


NAV_GROUP = 50  # most entries at one level of a section's navigation


def _grouped(entries: list[NavItem]) -> list[NavItem]:
    """Return a section's entries with the pages after its first in numbered groups when there are many.

    With the theme's pruned navigation a page carries its own group's links and the titles of
    the groups around it, so no page's navigation grows with the number of pages.
    """
    first, rest = entries[:1], entries[1:]
    return first + _groups(rest, 1) if len(rest) > NAV_GROUP else entries


def _groups(entries: list[NavItem], number: int) -> list[NavItem]:
    """Split `entries` (the first is page `number`) into at most NAV_GROUP groups, nested as needed."""
    if len(entries) <= NAV_GROUP:
        return entries
    size = NAV_GROUP
    while len(entries) > size * NAV_GROUP:
        size *= NAV_GROUP
    return [{f"{number + start}–{number + min(start + size, len(entries)) - 1}":
             _groups(entries[start:start + size], number + start)} for start in range(0, len(entries), size)]


def _content_nav(pages: list[ContentPage]) -> list[NavItem]:
    return [{page.title: page.name} for page in sorted(pages, key=lambda p: (p.order, p.name))]


def render_site(loaded: Loaded) -> SiteTree:
    """Return the site's Markdown tree and navigation for a loaded project."""
    program = loaded.program
    env = environment("site", loaded.layout.templates)
    groups = page_specs(program)
    context: dict[str, Any] = {"program": program, "info": program.program}
    pages: dict[str, str] = {}
    nav: list[NavItem] = []
    start = [p for p in loaded.pages if p.placement == "start"]
    end = [p for p in loaded.pages if p.placement == "end"]
    for title, specs in groups:
        for spec in specs:
            # The home page's <title> is the site name alone, which the engine escapes.
            block = title_block(spec.title) if spec.path != "index.md" else ""
            pages[spec.path] = block + render(env, spec.template, loaded.layout.templates, page=spec,
                                      **context, **spec.context)
        if title:
            nav.append({title: _grouped([_nav_entry(s) for s in specs])})
        else:
            nav.extend(_nav_entry(s) for s in specs)
        if specs and specs[0].path == "index.md":
            nav[1:1] = _content_nav(start)
    for page in loaded.pages:
        body = page.body if page.body.lstrip().startswith("# ") else f"# {plain(page.title)}\n\n{page.body}"
        pages[page.name] = title_block(page.title) + body
    nav.extend(_content_nav(end))
    pages["reference.md"] = title_block("Reference: program.yaml") + render(env, "reference.md.j2", loaded.layout.templates,
                                   sections=reference_sections(), **context)
    nav.append({"Reference: program.yaml": "reference.md"})
    files = {f"assets/{p.name}": p.read_bytes() for p in sorted(ASSETS.iterdir()) if p.is_file()}
    files.update({asset.name: asset.data for asset in loaded.assets})
    return SiteTree(pages, files, nav)
