"""The handbook's pages, written down once: what the site's navigation, the book and the downloads hold.

`SKELETON` lists, in the handbook's order, every page the generator writes, where the program's
modules, challenges and playbooks get a page each, and where the hand-written pages of content/
go. `handbook_pages` expands it for one program into `Page`s: the site renders each page from
its template and files it under its section in the navigation; the book prints the same pages
as chapters (a section's pages as one chapter), with their anchors and its contents; the link
checker and the content loader read the page names from here too. `downloads` lists the PDFs a
build offers for download, for the site's downloads page and the book.

Every word of the generator in here (titles, descriptions) is in this module, in one place, marked
for the message catalog with `N_()`: the registry keeps the English message, and `handbook_pages`
and `downloads` return it in the language of the work in progress (`handbook.i18n`).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from typing import Any, Callable, Optional, Sequence, Union

from handbook.i18n import N_, _
from handbook.layout import DOWNLOADS_DIR
from handbook.load.project import ContentAsset, ContentPage
from handbook.model import Program

# --- the generator's words -------------------------------------------------------------------
# Section titles (navigation groups; the book's chapter for the section's pages).
TRAINING = N_("Training")
CHALLENGES = N_("Challenges")
PLAYBOOKS = N_("Playbooks")


@dataclass(frozen=True)
class Fixed:
    """A page the generator always writes: its id (the book's anchor), site path, title and template."""

    id: str
    path: str
    title: str
    template: str
    section: str = ""  # the navigation section ("" for a top-level page)
    listed: bool = False  # the book's contents list the page's sections (its level-2 headings)
    book: bool = True  # printed in the book
    when: Optional[Callable[[Program], bool]] = None  # written only for the programs this holds for


@dataclass(frozen=True)
class Each:
    """A page per item of the program (a training module, a challenge, a playbook), in file order."""

    name: str  # what its template calls the item, and the prefix of its id: `module` -> `module-<id>`
    folder: str
    template: str
    section: str
    items: Callable[[Program], Sequence[Any]]


@dataclass(frozen=True)
class Content:
    """Where the content pages of a placement (`start` or `end`) go, by their order and then name."""

    placement: str


SKELETON: tuple[Union[Fixed, Each, Content], ...] = (
    Fixed("overview", "index.md", N_("Overview"), "index.md.j2"),
    Content("start"),
    Fixed("benefits", "benefits.md", N_("Benefits"), "benefits.md.j2", listed=True),
    Fixed("goals", "goals.md", N_("Goals"), "goals.md.j2", listed=True),
    Fixed("roles", "roles.md", N_("Roles"), "roles.md.j2", listed=True),
    Fixed("guidelines", "guidelines.md", N_("Guidelines"), "guidelines.md.j2"),
    Fixed("confidentiality", "confidentiality.md", N_("Confidentiality"), "confidentiality.md.j2"),
    Fixed("training", "training/index.md", N_("Curriculum"), "training.md.j2", TRAINING),
    Each("module", "training", "module.md.j2", TRAINING, lambda program: program.training.modules),
    Fixed("challenges", "challenges/index.md", N_("All challenges"), "challenges.md.j2", CHALLENGES),
    Each("challenge", "challenges", "challenge.md.j2", CHALLENGES, lambda program: program.challenges),
    Fixed("playbooks", "playbooks/index.md", N_("All playbooks"), "playbooks.md.j2", PLAYBOOKS),
    Each("playbook", "playbooks", "playbook.md.j2", PLAYBOOKS, lambda program: program.playbooks),
    Fixed("implementation", "implementation.md", N_("Implementation"), "implementation.md.j2", listed=True),
    Fixed("matching", "matching.md", N_("Matching"), "matching.md.j2"),
    Fixed("monitoring", "monitoring.md", N_("Monitoring and evaluation"), "monitoring.md.j2"),
    Fixed("closure", "closure.md", N_("Closure and rematching"), "closure.md.j2"),
    Fixed("about", "about.md", N_("About this program"), "about.md.j2"),
    # What changed since the version program.yaml's `previous:` names (never the cohort): on the site only.
    Fixed("changes", "what-changed.md", N_("What changed"), "changes.md.j2", book=False,
          when=lambda program: bool(program.previous)),
    Fixed("downloads", "downloads.md", N_("Agreement and downloads"), "downloads.md.j2"),
    Content("end"),
    # For coordinators: every key of program.yaml. Not for participants' paper; it stays English,
    # as the keys it documents are.
    Fixed("reference", "reference.md", "Reference: program.yaml", "reference.md.j2", book=False),
)

# Static files the site ships from the package's assets/ folder, by their path on the site.
SITE_ASSETS = ("assets/handbook.css", "assets/iframe-worker.js")
# Site folders that are not sections: the static assets, and the PDFs offered for download.
SITE_FOLDERS = ("assets", DOWNLOADS_DIR)


# --- the pages of one program ----------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page of the handbook: on the site at `path`, in the book at `#id`."""

    id: str  # unique; the book's anchor; never holds `--` (the book prefixes a page's own ids with `<id>--`)
    path: str  # on the site, e.g. `training/active-listening.md`
    title: str  # in the navigation, and heading the page in the book (in the program's language)
    template: Optional[str]  # the site template; None for a content page
    section: str = ""  # the navigation section ("" for a top-level page)
    order: int = 0  # position in the handbook: the site's navigation and the book follow it
    shows: tuple[tuple[str, Any], ...] = ()  # what the template sees besides the program, e.g. ("module", m)
    content: Optional[ContentPage] = None  # the hand-written page, for a page from content/
    listed: bool = False  # the book's contents list the page's sections
    book: bool = True  # printed in the book

    @property
    def folder(self) -> str:
        """Return the site folder the page is in ('' at the top): its relative links start there."""
        return posixpath.dirname(self.path)

    @property
    def context(self) -> dict[str, Any]:
        """Return what the page's template sees besides the program, e.g. {"module": <the module>}."""
        return dict(self.shows)


def content_pages(pages: Sequence[ContentPage], placement: str) -> list[ContentPage]:
    """Return the content pages of a placement in the order the handbook shows them."""
    return sorted((p for p in pages if p.placement == placement), key=lambda p: (p.order, p.name))


def _content_page(page: ContentPage) -> Page:
    return Page(f"page-{page.name.removesuffix('.md')}", page.name, page.title, None, content=page)


def handbook_pages(program: Program, content: Sequence[ContentPage] = ()) -> tuple[Page, ...]:
    """Return every page of the handbook for `program` and the content pages, in order.

    The generator's titles are in the current language; the program's own titles as written.
    """
    pages: list[Page] = []
    for entry in SKELETON:
        if isinstance(entry, Fixed):
            if entry.when is not None and not entry.when(program):
                continue
            title = entry.title if entry.id == "reference" else _(entry.title)
            pages.append(Page(entry.id, entry.path, title, entry.template, _(entry.section) if entry.section else "",
                              listed=entry.listed, book=entry.book))
        elif isinstance(entry, Each):
            pages += [Page(f"{entry.name}-{item.id}", f"{entry.folder}/{item.id}.md", item.title, entry.template,
                           _(entry.section), shows=((entry.name, item),)) for item in entry.items(program)]
        else:
            pages += [_content_page(page) for page in content_pages(content, entry.placement)]
    return tuple(replace(page, order=number) for number, page in enumerate(pages))


def reserved_names() -> set[str]:
    """Return the top-level page names the generator owns (content pages may not use them).

    A page `training.md` would stand beside the folder `training/` and take its name on the
    site, so the folders' names count as well as the pages'.
    """
    names = {f"{folder}.md" for folder in SITE_FOLDERS}
    for entry in SKELETON:
        if isinstance(entry, Fixed):
            top, _, rest = entry.path.partition("/")
            names.add(f"{top}.md" if rest else top)
        elif isinstance(entry, Each):
            names.add(f"{entry.folder.split('/')[0]}.md")
    return names


def site_paths(program: Program, content: Sequence[ContentPage] = (),
               assets: Sequence[ContentAsset] = ()) -> list[str]:
    """Return every file of the site a link may lead to: the pages in the navigation's order, then
    the other files of content/ and the static assets."""
    return [page.path for page in handbook_pages(program, content)] + [asset.name for asset in assets] + \
        list(SITE_ASSETS)


def chapters(pages: Sequence[Page]) -> list[tuple[Page, tuple[Page, ...]]]:
    """Return the book's chapters: (a top-level page, ()) or (a section's first page, the section's others)."""
    found: list[tuple[Page, list[Page]]] = []
    for page in pages:
        if not page.book:
            continue
        if page.section and found and found[-1][0].section == page.section:
            found[-1][1].append(page)
        else:
            found.append((page, []))
    return [(first, tuple(rest)) for first, rest in found]


# --- the PDFs offered for download -----------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """A non-personal PDF offered for download on the site and listed in the handbook."""

    path: str  # relative to build/pdf
    title: str  # the constants below hold the English message; `downloads` returns it translated
    description: str


HANDBOOK = Download("handbook.pdf", N_("The handbook as a book"),
                    N_("Everything on this site, with a table of contents and page numbers, for print."))
AGREEMENT_TERMS = Download("agreements/terms.pdf", N_("Terms of the mentoring agreement"),
                           N_("The program's full terms, which every group's agreement cites by version and "
                              "fingerprint: read them together before you sign."))
BLANK_AGREEMENT = Download("agreements/blank.pdf", N_("Blank agreement"),
                           N_("The three pages each group signs, to fill in on screen or by hand."))
FORMS: tuple[tuple[str, str, str], ...] = (
    ("smart-goal-worksheet", N_("SMART goal worksheet"),
     N_("Turn a broad wish into two or three specific, measurable goals before your second session.")),
    ("session-agenda", N_("Session agenda"),
     N_("The standard agenda with space for notes and each member's commitments: one copy per session.")),
    ("session-log", N_("Session log"),
     N_("One log for all your sessions: date, topic headline and commitments, kept by the group.")),
    ("mid-point-check-in", N_("Mid-point check-in"),
     N_("Review your goals, your sessions and the balance between you at the mid-point.")),
    ("closure-reflection", N_("Closure reflection"),
     N_("A personal reflection on what you learned, for your closing session.")),
    ("training-attendance", N_("Training attendance sign-off"),
     N_("One sheet per training module for facilitators to record attendance.")),
)
PLAYBOOK_CARD = N_("Playbook card: %(challenge)s")
PLAYBOOK_CARD_TEXT = N_("Warning signs and what to do, on one card.")

# The program calendar (training sessions and milestones, no personal data) as the site offers it,
# beside the PDFs; the build writes the same file to build/calendar/program.ics.
PROGRAM_CALENDAR = f"{DOWNLOADS_DIR}/calendar/program.ics"


def downloads(program: Program) -> tuple[Download, ...]:
    """Return the non-personal PDFs of a build, in the order the site lists them, in the current language."""
    items = [HANDBOOK, AGREEMENT_TERMS, BLANK_AGREEMENT]
    items += [Download(f"forms/{slug}.pdf", title, text) for slug, title, text in FORMS]
    items = [Download(item.path, _(item.title), _(item.description)) for item in items]
    items += [Download(f"forms/playbook-card-{c.id}.pdf", _(PLAYBOOK_CARD, challenge=c.title), _(PLAYBOOK_CARD_TEXT))
              for c in program.challenges]
    return tuple(items)
