"""Render print HTML, pure: the program and its cohort become HTML documents written for paper.

Nothing here touches the disk except reading templates and stylesheets, and nothing imports
WeasyPrint: `pdf.py` turns the documents into PDF files.

- A `Batch` is a set of PDF files laid out as ONE document and split afterwards: the handbook
  (one file), the forms (one file per form and playbook card), the blank agreement.
- A `StampSet` holds the agreements of the cohort's groups. The agreement is rendered once per
  variant (the roles of a group's members, so also its size) as a template in which every per-group value (names, departments,
  emails, the group id, dates) is a `Slot`, an empty box of fixed width. Each group is a `Fill`:
  the text of every slot. `pdf.py` lays out all fills in one document and stamps them onto the
  template's pages, so the agreement's pages are laid out once, not once per group.

What a group signs is a signing set of three pages (`agreement.html.j2`): who and when, what we
commit to and where confidentiality ends, the signatures (on a page with an empty back). The
program's full terms are one public PDF (`terms.html.j2`, agreements/terms.pdf) that every
agreement cites by version and fingerprint.

The agreement's fingerprint is a short hash of the agreement's text as the built-in templates
print it: the terms, and the blank signing set (the program's clauses and limits, version and
dates), without any participant's name or any group's dates. The site, the terms and every
agreement print it.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional
from urllib.parse import unquote

import jinja2
from markupsafe import Markup

from handbook import i18n
from handbook.errors import Problem, TemplateError
from handbook.i18n import _
from handbook.load.cohort import Cohort, Group, Participant
from handbook.load.project import Loaded
from handbook.model import Program, Role
from handbook.plan.pages import (  # noqa: F401 - Download, downloads for importers
    AGREEMENT_TERMS,
    BLANK_AGREEMENT,
    FORMS,
    PLAYBOOK_CARD,
    PLAYBOOK_CARD_TEXT,
    Download,
    downloads,
)
from handbook.plan.returns import returned_forms
from handbook.plan.schedule import Kind, Milestone, review_schedule
from handbook.render import sanitize, templating

if TYPE_CHECKING:
    from handbook.render.edition import Edition

BODY_MARKER = "<!-- handbook:body -->"
# The signing set is three pages (front, commitments, signatures on the odd last page). A language whose
# words run longer (German is a fifth longer than English) is laid out again with the tighter type of
# classes `hb-fit-1` to `hb-fit-<FIT_LEVELS>` (agreement.css), until it fits.
SIGNING_PAGES = 3
FINGERPRINT_LENGTH = 12


# --- what pdf.py receives ---------------------------------------------------------------


@dataclass(frozen=True)
class Stylesheet:
    """A print stylesheet: the name shown in messages and its text."""

    name: str
    text: str


@dataclass(frozen=True)
class Meta:
    """Metadata of one PDF file (PDF info and XMP)."""

    title: str
    subject: str
    author: str
    language: str
    keywords: tuple[str, ...] = ()
    created: Optional[str] = None  # W3C date-time, e.g. 2026-09-01T00:00:00Z


@dataclass(frozen=True)
class Output:
    """One PDF file: where it goes under build/pdf, its HTML body, and its metadata."""

    path: str
    html: str
    meta: Meta
    personal: bool = False  # holds names of participants: never copied to the site
    title: str = ""  # what the file is, for people (downloads page, handbook)
    description: str = ""
    folder: str = ""  # a further language's folder the path starts with (`de`), for that language's site


@dataclass(frozen=True)
class Batch:
    """PDF files laid out as one document and split: the HTML around the bodies, stylesheets, outputs."""

    name: str  # e.g. "forms", shown in messages
    source: str  # the main template, shown in messages
    head: str  # HTML up to and including <body>
    tail: str  # HTML after the body
    stylesheets: tuple[Stylesheet, ...]
    outputs: tuple[Output, ...]
    forms: bool = False  # carries PDF form fields
    fit: int = 0  # the pages each output should fit on: a longer one is laid out again, tighter (see FIT_LEVELS)

    def subset(self, paths: Iterable[str]) -> "Batch":
        """Return this batch with only the outputs at `paths`."""
        wanted = set(paths)
        return replace(self, outputs=tuple(o for o in self.outputs if o.path in wanted))


@dataclass(frozen=True)
class Fill:
    """One agreement stamped from a template: its file, its metadata, the text of each slot."""

    path: str
    variant: str  # key of the template in `StampSet.templates`
    texts: tuple[tuple[str, str], ...]  # (slot name, text)
    meta: Meta


@dataclass(frozen=True)
class StampSet:
    """Agreements made from templates with empty slots, and the texts each group fills in."""

    name: str
    source: str
    head: str
    tail: str
    stylesheets: tuple[Stylesheet, ...]
    templates: Mapping[str, str]  # variant -> HTML body with slots
    fills: tuple[Fill, ...]
    meta: Meta  # of the templates; each fill has its own title
    forms: bool = True
    fit: int = 0  # the pages each agreement should fit on, as `Batch.fit`

    def subset(self, paths: Iterable[str]) -> "StampSet":
        """Return this set with only the fills at `paths` (and the templates they use)."""
        wanted = set(paths)
        fills = tuple(f for f in self.fills if f.path in wanted)
        variants = {f.variant for f in fills}
        return replace(self, fills=fills, templates={k: v for k, v in self.templates.items() if k in variants})


@dataclass(frozen=True)
class PrintSet:
    """Everything `handbook build` prints, and the agreement's fingerprint."""

    batches: tuple[Batch, ...]
    stamps: tuple[StampSet, ...]
    fingerprint: str

    def paths(self) -> tuple[str, ...]:
        """Return the path of every PDF file, under build/pdf."""
        return tuple([o.path for b in self.batches for o in b.outputs] + [f.path for s in self.stamps
                                                                          for f in s.fills])

    def public(self) -> tuple[Output, ...]:
        """Return the outputs that hold no personal data: the downloads of the site."""
        return tuple(o for b in self.batches for o in b.outputs if not o.personal)

    @staticmethod
    def joined(sets: Iterable["PrintSet"]) -> "PrintSet":
        """Return one set printing everything of `sets` (one per language), with the first one's fingerprint."""
        sets = list(sets)
        return PrintSet(tuple(b for s in sets for b in s.batches), tuple(t for s in sets for t in s.stamps),
                        sets[0].fingerprint)


def in_folder(print_set: PrintSet, folder: str) -> PrintSet:
    """Return `print_set` with its handbook, forms, terms and blank agreement in `folder` (a language's, e.g. `de`).

    The agreements of named groups keep their paths: a group's id says whose it is in any language.
    """
    if not folder:
        return print_set
    batches = tuple(replace(batch, name=f"{batch.name} ({folder})",
                            outputs=tuple(replace(o, path=f"{folder}/{o.path}", folder=folder)
                                          for o in batch.outputs))
                    for batch in print_set.batches)
    stamps = tuple(replace(stamp, name=f"{stamp.name} ({folder})") for stamp in print_set.stamps)
    return replace(print_set, batches=batches, stamps=stamps)


# --- what templates receive ---------------------------------------------------------------


class Slot:
    """A per-group value in an agreement template: an empty box of fixed width, filled in later.

    Templates print it like the value itself (`{{ member.name }}`); the stylesheet gives the box
    its width. It holds a no-break space so that it sits on the line as text would.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __html__(self) -> str:
        return f'<span class="hb-slot" data-slot="{self.name}">&nbsp;</span>'

    def __str__(self) -> str:
        return self.__html__()

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


Value = Any  # str, or a Slot in a template


@dataclass(frozen=True)
class Signatory:
    """A member of a group as the agreement prints them; empty fields on the blank agreement."""

    number: int
    label: str  # "Partner A", in the program's language
    name: Value
    department: Value
    email: Value
    role: Role

    @property
    def field(self) -> str:
        """Return the prefix of this member's form field names, e.g. `partner-a`: the same in every language."""
        return _field(self.number - 1)


@dataclass(frozen=True)
class ReviewPoint:
    """A point of the schedule as an agreement prints it: its id and kind, week, date as printed, what happens."""

    id: str  # the check-in's id, or `first-session` / `planned-end` (see handbook.plan.schedule)
    kind: Kind  # "start", "check-in" or "end"
    week: int
    when: Value  # "14 September 2026"; empty on the blank agreement
    title: str
    detail: str


@dataclass(frozen=True)
class AgreementCopy:
    """What the agreement template sees besides the program: the group, its members and dates."""

    group_id: Value  # "" on the blank
    members: tuple[Signatory, ...]
    reviews: tuple[ReviewPoint, ...]
    names: Value = ""  # the members' names as a list, "Ana Lima, Ben Okafor and Cai Wen"; "" on the blank
    whose: Value = ""  # whose agreement it is, for the running head: the names and the cohort; "" on the blank
    cohort: str = ""  # the cohort's name (the same for every group), "" when it has none or on the blank

    @property
    def blank(self) -> bool:
        """Return whether this is the blank agreement, with lines to write on."""
        return not self.group_id


# --- filters ------------------------------------------------------------------------------
# Dates, durations and numbers are formatted by the i18n filters every environment has
# (`| date`, `| months`, `| minutes`, ...; see handbook.i18n), and how often groups meet by
# `| rhythm` (see handbook.render.templating), in the program's language.


def _print_links(prefix: str, anchors: Mapping[str, str], ids: Iterable[str] = (), *, folder: str = "",
                 targets: Mapping[str, Iterable[str]] | None = None) -> sanitize.Rewrite:
    """Return how sanitised HTML changes for the book: ids get a page prefix, links become in-book anchors.

    `anchors` maps a site path to its anchor in the book, `targets` a site path to the ids on that
    page, `ids` are this page's own, and `folder` is its site folder (relative links start there).
    A link to `page.md#id` leads to `#<page's anchor>--id` when the book holds that id, else to
    the page.

    WeasyPrint resolves every link that is neither `#anchor` nor absolute against the project
    folder: `#`, a link to another page or file would print as `file:///<project>/...`, which
    names the coordinator's folder and differs between machines, and it refuses an `#anchor`
    that is not in the book. Such links lose their target.
    """
    own = frozenset(ids)

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            return f"{prefix}--{value}" if prefix else value
        if attribute == "src":
            # Files of content/ are copied to the top of the site, so a page's link leads into content/.
            path = posixpath.normpath(posixpath.join(folder, unquote(value.split("#")[0].split("?")[0])))
            return None if path.startswith(("../", "/")) or path in (".", "..") else f"content/{path}"
        if attribute != "href":
            return value
        if value.startswith("#"):
            return f"#{prefix}--{value[1:]}" if value[1:] in own else None
        if sanitize.scheme(value):
            return value  # http(s), mailto: or tel:, the only schemes `sanitize` lets through
        path, _, fragment = value.partition("#")
        target = posixpath.normpath(posixpath.join(folder, unquote(path.split("?")[0])))
        anchor = anchors.get(target)
        if anchor and fragment and fragment in (targets or {}).get(target, ()):
            return f"#{anchor}--{fragment}"
        return f"#{anchor}" if anchor else None

    return rewrite


def _markdown(text: str, extensions: list[Any], configs: dict[str, Any] | None = None) -> str:
    import markdown as markdown_lib

    converter = markdown_lib.Markdown(extensions=extensions, extension_configs=configs or {},
                                      output_format="html")
    return converter.convert(text)


def markdown_field(value: Any) -> Markup:
    """Return a Markdown field of program.yaml as sanitised HTML for print: raw HTML shown as text."""
    html = _markdown(templating.markdown(value), ["sane_lists"])
    return Markup(sanitize.clean(html, _print_links("", {})))


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def css_content(text: str, nowrap: bool = False, **values: str) -> Markup:
    """Return text (words of the catalog) as a CSS `content` value, its `%(name)s` placeholders the CSS `values`.

    For words a stylesheet prints (running heads, page references), which the template sets as custom
    properties: `--hb-page-ref: {{ _("(p. %(page)s)", page="%(page)s") | css_content(page="target-counter(
    attr(href), page)") }}` gives `"(p. " target-counter(attr(href), page) ")"`, in any word order the
    translation has. `nowrap`: spaces become no-break spaces.
    """
    plain = text.unescape() if isinstance(text, Markup) else str(text)

    def quoted(piece: str) -> str:
        if nowrap:
            piece = piece.replace(" ", "\u00a0")
        escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>&\n\r' or ord(c) < 32 else c for c in piece)
        return f'"{escaped}"'

    parts: list[str] = []
    for index, piece in enumerate(_PLACEHOLDER.split(plain)):
        if index % 2:
            parts.append(values[piece])
        elif piece:
            parts.append(quoted(piece))
    return Markup(" ".join(parts) or '""')


def print_environment(templates: Path | None) -> jinja2.Environment:
    """Return the print environment: autoescaped HTML, project overrides first, print filters."""
    env = templating.environment("print", templates)
    env.filters.update({"md": markdown_field})
    env.filters["css_content"] = css_content
    return env


def stylesheet(name: str, templates: Path | None) -> Stylesheet:
    """Return the stylesheet `name` from the project's templates/print/ or the built-in one."""
    if templates is not None:
        override = templates / "print" / name
        if override.is_file():
            return Stylesheet(f"templates/print/{name}", override.read_text(encoding="utf-8"))
    return Stylesheet(f"(built-in) print/{name}", (templating.PACKAGE_TEMPLATES / "print" / name)
                      .read_text(encoding="utf-8"))


def shown_template(name: str, templates: Path | None) -> str:
    """Return how messages name a print template: the project's override, or the built-in one."""
    if templates is not None and (templates / "print" / name).is_file():
        return f"templates/print/{name}"
    return f"(built-in) print/{name}"


def _render(env: jinja2.Environment, name: str, templates: Path | None, **context: Any) -> str:
    return templating.render(env, name, templates, **context)


def _skeleton(env: jinja2.Environment, templates: Path | None, *, title: str, language: str,
              body_class: str) -> tuple[str, str]:
    html = _render(env, "document.html.j2", templates, title=title, language=language, body_class=body_class,
                   body=Markup(BODY_MARKER))
    if html.count(BODY_MARKER) != 1:
        raise TemplateError([Problem("templates/print/document.html.j2", 0, 0,
                                     "the document template must print {{ body }} exactly once")])
    head, tail = html.split(BODY_MARKER)
    return head, tail


# --- the agreement ------------------------------------------------------------------------


def _member_role(program: Program, participant: Participant | None) -> Role:
    role_id = participant.role if participant and participant.role else program.overview.roles[0].id
    return program.role(role_id)


def _field(index: int) -> str:
    """Return the prefix of the `index`th member's form fields and slots (from 0): `partner-a`, in every language."""
    return f"partner-{chr(ord('a') + index)}"


def _copy(program: Program, group_id: Value, people: list[tuple[Value, Value, Value, Role]],
          when: Callable[[Milestone], Value], names: Value = "", whose: Value = "", cohort: str = "") -> AgreementCopy:
    """Return an agreement's copy; `when` gives the printed date of each point of the schedule.

    Members are named as the forms name them: Partner A and B in a pair, Member A to F in a larger group.
    """
    labels = member_labels(len(people))
    members = tuple(Signatory(i + 1, labels[i], name, department, email, role)
                    for i, (name, department, email, role) in enumerate(people))
    reviews = tuple(ReviewPoint(p.id, p.kind, p.week, when(p), p.title, p.detail) for p in review_schedule(program))
    return AgreementCopy(group_id, members, reviews, names, whose, cohort)


def whose_agreement(names: Iterable[str], cohort: str = "") -> tuple[str, str]:
    """Return (the names as a list, whose agreement it is): "Ana Lima and Ben Okafor", the same and " · Autumn 2026"."""
    listed = i18n.current().list(list(names))
    # Translators: whose agreement a page is, in its running head: the members' names, the cohort's name
    return listed, _("%(names)s · %(cohort)s", names=listed, cohort=cohort) if cohort else listed


def _date_slot(point: Milestone | ReviewPoint) -> str:
    """Return the name of a review point's date slot, e.g. `review-check-in-week-2`: (kind, id) is unique."""
    return f"review-{point.kind}-{point.id}"


def blank_copy(program: Program, size: Optional[int] = None) -> AgreementCopy:
    """Return the blank agreement's copy: empty names and dates, to be written in by hand.

    It has a row for each member of a group of `size` people, `matching.group_size` unless given.
    """
    role = _member_role(program, None)
    size = program.matching.group_size if size is None else size
    return _copy(program, "", [("", "", "", role)] * size, lambda point: "")


def template_copy(program: Program, roles: tuple[Role, ...], cohort: str = "") -> AgreementCopy:
    """Return an agreement template's copy: every per-group value a slot named after it (the cohort's name is shared)."""
    people = []
    for i, role in enumerate(roles):
        prefix = _field(i)
        people.append((Slot(f"{prefix}-name"), Slot(f"{prefix}-department"), Slot(f"{prefix}-email"), role))
    return _copy(program, Slot("group"), people, lambda point: Slot(_date_slot(point)), Slot("names"),
                 Slot("whose"), cohort)


def group_copy(program: Program, group: Group, cohort: Cohort) -> AgreementCopy:
    """Return the copy of one group's agreement, with names and dates."""
    members = cohort.members(group)
    people = [(p.name, p.department or "", p.email, _member_role(program, p)) for p in members]
    dates = dict(review_schedule(program).dated(group.start))
    names, whose = whose_agreement((p.name for p in members), cohort.name or "")
    return _copy(program, group.id, people, lambda point: i18n.current().date(dates[point]), names, whose,
                 cohort.name or "")


def slot_texts(copy: AgreementCopy) -> tuple[tuple[str, str], ...]:
    """Return (slot name, text) for each slot of a template, from a group's copy."""
    texts = [("group", str(copy.group_id)), ("names", str(copy.names)), ("whose", str(copy.whose))]
    for member in copy.members:
        texts += [(f"{member.field}-name", member.name), (f"{member.field}-department", member.department),
                  (f"{member.field}-email", member.email)]
    texts += [(_date_slot(point), point.when) for point in copy.reviews]
    return tuple(texts)


WORKSHEET = "smart-goal-worksheet"  # the form on which each member writes their goals: the terms name it
# Limits under which what a member confides about harm done to them may be passed on against their wish.
VICTIM_LIMIT_KINDS = ("harm", "safeguarding")


def _terms_context(program: Program, fingerprint: str) -> dict[str, Any]:
    """Return what the terms and the signing set both see: the program, the citation of the terms, the limits."""
    coordinator_role = next((r for r in program.overview.roles if r.id == "coordinator"), None)
    return {"program": program, "info": program.program, "fingerprint": fingerprint,
            "terms_title": _(AGREEMENT_TERMS.title), "worksheet": _(next(t for slug, t, _text in FORMS if slug == WORKSHEET)),
            "coordinator_role": coordinator_role, "midpoint": review_schedule(program).midpoint,
            "victim_limits": [limit for limit in program.confidentiality.limits if limit.kind in VICTIM_LIMIT_KINDS]}


def _agreement_context(program: Program, copy: AgreementCopy, fingerprint: str) -> dict[str, Any]:
    roles = []
    for member in copy.members:
        if member.role not in roles:
            roles.append(member.role)
    context = _terms_context(program, fingerprint)
    return {**context, "agreement": copy, "roles": roles,
            "coordinator_role": context["coordinator_role"] if context["coordinator_role"] not in roles else None}


AGREEMENT_TEMPLATE = "agreement.html.j2"
TERMS_TEMPLATE = "terms.html.j2"


def terms_html(env: jinja2.Environment, templates: Path | None, program: Program, fingerprint: str) -> str:
    """Return the body of the program's terms, the reference every agreement cites, as print HTML.

    The terms hold for every group of the program, whatever its size, and speak as "we", the group.
    They name the role a participant holds unless the cohort says otherwise (the program's first
    role) and the coordinator's: the program's other roles (a sponsor, line managers) sign nothing.
    """
    context = _terms_context(program, fingerprint)
    roles = [_member_role(program, None)]
    coordinator_role = context["coordinator_role"] if context["coordinator_role"] not in roles else None
    return _render(env, TERMS_TEMPLATE, templates, **{**context, "roles": roles, "coordinator_role": coordinator_role})


def agreement_html(env: jinja2.Environment, templates: Path | None, program: Program, copy: AgreementCopy,
                   fingerprint: str) -> str:
    """Return the body of one agreement (blank, template or a group's) as print HTML."""
    return _render(env, AGREEMENT_TEMPLATE, templates, **_agreement_context(program, copy, fingerprint))


class _Text(HTMLParser):
    """Collects the visible text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("style", "script", "head", "title"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Return the visible text of `html`, whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def agreement_fingerprint(program: Program) -> str:
    """Return the short fingerprint of the agreement text, e.g. `3f9a-c21b-07e4`.

    It hashes the text of the terms and of the blank signing set as the built-in templates print
    them, so it changes with any word of the terms, of what a group signs, the version or the
    effective date, and never with names, a group's dates, the layout (CSS) or the fingerprint
    itself. One fingerprint: the terms print it, and every agreement cites the terms by it.
    """
    env = print_environment(None)
    text = visible_text(terms_html(env, None, program, "")) + "\n" + \
        visible_text(agreement_html(env, None, program, blank_copy(program), ""))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]
    return "-".join(digest[i:i + 4] for i in range(0, FINGERPRINT_LENGTH, 4))


def _meta(program: Program, title: str, subject: str, created: Optional[str], *keywords: str) -> Meta:
    info = program.program
    return Meta(title=title, subject=subject, author=info.organization, language=info.language,
                keywords=(info.name, _("version %(version)s", version=info.version), *keywords), created=created)


def _agreement_meta(program: Program, title: str, fingerprint: str, created: Optional[str]) -> Meta:
    info = program.program
    subject = _("Mentoring agreement, version %(version)s, effective %(date)s, fingerprint %(fingerprint)s",
                version=info.version, date=i18n.current().date(info.effective_date), fingerprint=fingerprint)
    # Translators: a keyword of the agreement's PDF files, as a search would look for it
    return _meta(program, title, subject, created, _("agreement"),
                 _("fingerprint %(fingerprint)s", fingerprint=fingerprint))


def _agreement_skeleton(env: jinja2.Environment, templates: Path | None, program: Program) -> tuple[str, str]:
    info = program.program
    return _skeleton(env, templates, title=_("%(program)s: agreement", program=info.name), language=info.language,
                     body_class="agreement")


def terms_batch(program: Program, templates: Path | None, fingerprint: str, created: Optional[str]) -> Batch:
    """Return the program's terms: one public PDF, the same for every group, cited by each agreement."""
    env = print_environment(templates)
    info = program.program
    title = _(AGREEMENT_TERMS.title)
    head, tail = _skeleton(env, templates, title=_("%(program)s: %(document)s", program=info.name, document=title),
                           language=info.language, body_class="agreement terms-document")
    html = terms_html(env, templates, program, fingerprint)
    output = Output(AGREEMENT_TERMS.path, html,
                    _agreement_meta(program, _("%(program)s: %(document)s", program=info.name, document=title),
                                    fingerprint, created),
                    title=title, description=_(AGREEMENT_TERMS.description))
    return Batch("agreement terms", shown_template(TERMS_TEMPLATE, templates), head, tail,
                 agreement_stylesheets(templates), (output,))


def agreement_stylesheets(templates: Path | None) -> tuple[Stylesheet, ...]:
    """Return the stylesheets of the agreement."""
    return (stylesheet("print.css", templates), stylesheet("agreement.css", templates))


def blank_agreement_batch(program: Program, templates: Path | None, fingerprint: str,
                          created: Optional[str]) -> Batch:
    """Return the blank agreement: empty name and date lines, for a new group or to read before applying."""
    env = print_environment(templates)
    head, tail = _agreement_skeleton(env, templates, program)
    html = agreement_html(env, templates, program, blank_copy(program), fingerprint)
    output = Output(BLANK_AGREEMENT.path, html,
                    _agreement_meta(program, _("%(program)s: agreement (blank)", program=program.program.name),
                                    fingerprint, created),
                    title=_(BLANK_AGREEMENT.title), description=_(BLANK_AGREEMENT.description))
    return Batch("blank agreement", shown_template(AGREEMENT_TEMPLATE, templates), head, tail,
                 agreement_stylesheets(templates), (output,), forms=True, fit=SIGNING_PAGES)


def agreement_stamps(program: Program, cohort: Cohort | None, templates: Path | None, fingerprint: str,
                     created: Optional[str]) -> StampSet:
    """Return the agreements of the cohort's groups: a template per variant, and each group's texts."""
    env = print_environment(templates)
    head, tail = _agreement_skeleton(env, templates, program)
    variants: dict[str, str] = {}
    fills = []
    for group in cohort.groups if cohort else ():
        assert cohort is not None
        copy = group_copy(program, group, cohort)
        roles = tuple(m.role for m in copy.members)
        variant = "+".join(r.id for r in roles)
        if variant not in variants:
            variants[variant] = agreement_html(env, templates, program, template_copy(program, roles, copy.cohort),
                                               fingerprint)
        fills.append(Fill(f"agreements/{group.id}.pdf", variant, slot_texts(copy),
                          _agreement_meta(program, _("%(program)s: agreement %(group)s", program=program.program.name,
                                                     group=group.id), fingerprint,
                                          created)))
    return StampSet("agreements", shown_template(AGREEMENT_TEMPLATE, templates), head, tail,
                    agreement_stylesheets(templates), variants, tuple(fills),
                    _agreement_meta(program, f"{program.program.name}: agreement", fingerprint, created),
                    fit=SIGNING_PAGES)


def group_agreement_html(program: Program, group: Group, cohort: Cohort, templates: Path | None,
                         fingerprint: str) -> str:
    """Return one group's agreement laid out in full, names in place (the naive path, for comparison)."""
    env = print_environment(templates)
    return agreement_html(env, templates, program, group_copy(program, group, cohort), fingerprint)


# --- forms --------------------------------------------------------------------------------

def form_group_size(program: Program, cohort: Cohort | None) -> int:
    """Return how many members the blank forms have rows for: `matching.group_size`, or the cohort's largest group."""
    return max([program.matching.group_size, *(len(group.members) for group in (cohort.groups if cohort else ()))])


def member_labels(size: int) -> tuple[str, ...]:
    """Return how a blank form names the members of a group of `size`: Partner A and B, Member A to C, ..."""
    letters = [chr(ord("A") + index) for index in range(size)]
    if size == 2:
        return tuple(_("Partner %(letter)s", letter=letter) for letter in letters)
    return tuple(_("Member %(letter)s", letter=letter) for letter in letters)


def _numbered(slug: str, html: str, card: bool = False) -> str:
    """Return a form's body in a box that numbers its own pages: "Page 1 of 2" counts this form's pages.

    The forms are laid out as one document, so `counter(pages)` would count all of them. Each
    form's box starts a page group of its own (forms.css resets the page counter on its first
    page), and the number of its pages is the page of its last element: forms.css sets it as
    the string `form-pages` from `data-end`. A card keeps its A5 pages (`page: card`). The words
    come from the catalog, as the custom property `--hb-form-page` the page margins print.
    """
    # Translators: the page counter in a form's footer, "Page 2 of 3"
    words = css_content(_("Page %(page)s of %(pages)s", page="%(page)s", pages="%(pages)s"),
                        page="counter(page)", pages="string(form-pages)")
    return (f'<style>:root {{ --hb-form-page: {words}; }}</style>\n'
            f'<div class="form-pages form-{slug}{" card-pages" if card else ""}">'
            f'<span class="form-page-count" data-end="#{slug}--end"></span>\n{html}'
            f'<span class="form-end" id="{slug}--end"></span></div>')


def forms_batch(program: Program, templates: Path | None, created: Optional[str],
                group_size: Optional[int] = None) -> Batch:
    """Return the blank forms and one playbook card per challenge.

    Forms that a group fills in together have a row for each of `group_size` members
    (`matching.group_size` when not given).
    """
    env = print_environment(templates)
    info = program.program
    size = program.matching.group_size if group_size is None else group_size
    head, tail = _skeleton(env, templates, title=_("%(program)s: forms", program=info.name), language=info.language,
                           body_class="forms")
    context = {"program": program, "info": program.program, "midpoint": review_schedule(program).midpoint,
               "group_size": size, "members": member_labels(size), "returns": returned_forms(program, size)}
    outputs = []
    for slug, english_title, english_description in FORMS:
        title, description = _(english_title), _(english_description)
        html = _numbered(slug, _render(env, f"forms/{slug}.html.j2", templates, title=title, **context))
        outputs.append(Output(f"forms/{slug}.pdf", html,
                              _meta(program, _("%(program)s: %(form)s", program=info.name, form=title), description,
                                    created, _("form")),
                              title=title, description=description))
    for challenge in program.challenges:
        title = _(PLAYBOOK_CARD, challenge=challenge.title)
        html = _numbered(f"playbook-card-{challenge.id}",
                         _render(env, "forms/playbook-card.html.j2", templates, title=title, challenge=challenge,
                                 playbooks=program.playbooks_for(challenge.id), **context), card=True)
        outputs.append(Output(f"forms/playbook-card-{challenge.id}.pdf", html,
                              _meta(program, _("%(program)s: %(form)s", program=info.name, form=title),
                                    _("Warning signs and what to do."), created, _("playbook")),
                              title=title, description=_(PLAYBOOK_CARD_TEXT)))
    css = (stylesheet("print.css", templates), stylesheet("forms.css", templates))
    source = "templates/print/forms/" if templates and (templates / "print" / "forms").is_dir() else \
        "(built-in) print/forms/"
    return Batch("forms", source, head, tail, css, tuple(outputs), forms=True)


# --- everything ---------------------------------------------------------------------------


def render_print(loaded: Loaded, cohort: Cohort | None, created: Optional[str], edition: "Edition", *,
                 signing: Cohort | None = None) -> PrintSet:
    """Return every PDF of a build as print HTML: handbook, forms, blank and per-group agreements.

    `edition` holds the facts computed once per build (pages, downloads, fingerprint). `signing`
    is the part of `cohort` whose agreements are printed (all of it when not given): in a program
    of several languages, the groups whose papers are in this language.
    """
    from handbook.render.book import handbook_batch

    program = loaded.program
    templates = loaded.layout.templates
    fingerprint = edition.fingerprint
    return PrintSet((handbook_batch(loaded, edition, created),
                     forms_batch(program, templates, created, form_group_size(program, cohort)),
                     terms_batch(program, templates, fingerprint, created),
                     blank_agreement_batch(program, templates, fingerprint, created)),
                    (agreement_stamps(program, signing if signing is not None else cohort, templates, fingerprint,
                                      created),),
                    fingerprint)
