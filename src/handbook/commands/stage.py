"""The stage every command runs first: read and validate the whole project, then render it, writing nothing.

`load` reads program.yaml, the cohort file it names, content/, the links in templates/, mkdocs.yml
(with the site engine's own check of it) and SOURCE_DATE_EPOCH, and raises one InputError with
every problem. `render` turns what was loaded into the site's pages, the documents for print and
the calendars; templates are input too, so their problems surface here.

`handbook check` runs `load` and `render`; `handbook build` runs them and then writes; `handbook
serve` runs them too, showing the site as soon as its pages are rendered. So `check` refuses
exactly what `build` refuses, except what only the PDF renderer finds while it prints.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Optional

from handbook import i18n
from handbook.errors import InputError, Problem
from handbook.layout import PROGRAM_FILE, Layout
from handbook.load.cohort import Cohort, read_cohort
from handbook.load.links import markdown_problems
from handbook.load.locale import locale_problems, words
from handbook.load.project import (
    ContentAsset,
    ContentPage,
    Loaded,
    load_content,
    load_localized,
    read_program,
    template_problems,
)
from handbook.load.sitesettings import read_settings
from handbook.load.translations import (
    Translation,
    read_translations,
    stray_translations,
)
from handbook.load.validate import validate_program
from handbook.load.yamlsource import load_yaml
from handbook.model import Program
from handbook.output.returns import StoreError, read_returns
from handbook.plan.changes import Compared, dated_as, program_changes
from handbook.plan.constraints import constraint_problems
from handbook.plan.pages import reserved_names, site_paths
from handbook.plan.returns import Stored
from handbook.plan.signing import ReSign, must_sign_again
from handbook.render.calendars import render_calendars
from handbook.render.edition import edition
from handbook.render.printing import (
    PrintSet,
    agreement_fingerprint,
    in_folder,
    render_print,
)
from handbook.render.site import SiteTree, render_site

EPOCH = "SOURCE_DATE_EPOCH"
PROGRAM_ICS = "program.ics"  # in build/calendar/, and in build/calendar/<language>/ for each further language


@dataclass(frozen=True)
class LoadedProject(Loaded):
    """A loaded project with its cohort (None when program.yaml names no cohort file) and build date."""

    cohort: Optional[Cohort] = None
    source_date: Optional[str] = None  # SOURCE_DATE_EPOCH as a W3C date-time for the PDFs; None when unset
    translations: Mapping[str, Translation] = field(default_factory=dict)  # by further language
    localized: Mapping[str, tuple[tuple[ContentPage, ...], tuple[ContentAsset, ...]]] = field(
        default_factory=dict)  # content/<language>/: pages and files that replace the source's of the same name
    origin: Optional[Program] = None  # in a further language (`in_language`): the program in its source language
    previous: Optional[Compared] = None  # program.yaml's `previous:`: the version before and what changed since
    returns: tuple[Stored, ...] = ()  # what `handbook collect` stored of the returned forms (the site shows aggregates)

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the languages the handbook is published in, the source language first."""
        info = self.program.program
        return info.languages or (info.language,)

    def in_language(self, language: str) -> "LoadedProject":
        """Return the project as published in `language`: its program translated, its pages from content/<language>/."""
        if language == self.program.program.language:
            return self
        pages, assets = self.localized.get(language, ((), ()))
        own = {page.name: page for page in pages}
        files = {**{asset.name: asset for asset in self.assets}, **{asset.name: asset for asset in assets}}
        return replace(self, program=self.translations[language].program, origin=self.program,
                       pages=tuple(own.get(page.name, page) for page in self.pages), assets=tuple(files.values()))


@dataclass(frozen=True)
class Rendered:
    """Everything a build writes, in memory: the site's pages (per language), the documents for print, the calendars."""

    site: SiteTree  # the source language's
    prints: PrintSet
    calendars: dict[str, bytes]
    sites: Mapping[str, SiteTree] = field(default_factory=dict)  # every language's, the source first
    re_sign: tuple[ReSign, ...] = ()  # groups whose signed text is not the current one (cohort.yaml `signed:`)


def load(root: Path) -> LoadedProject:
    """Load and validate a whole project: program, cohort, content, site settings; raise InputError with all problems."""
    layout = Layout(Path(root).resolve())
    problems: list[Problem] = []
    source = program = None
    try:
        source = read_program(layout)
        program = validate_program(source)
    except InputError as exc:
        problems += exc.problems
    reference = _cohort_reference(layout, program)
    cohort_name = reference[0] if reference is not None else None  # no link in content/ or templates/ reaches it
    content_read = True
    further = program.program.languages[1:] if program is not None else None  # None: not known
    try:
        pages, assets = load_content(layout, reserved_names(), cohort_name, languages=further)
    except InputError as exc:
        problems += exc.problems
        pages, assets, content_read = (), (), False
    problems += template_problems(layout, cohort_name)
    problems += markdown_problems(source, program, pages, assets, site_paths=site_paths, check_links=content_read)
    translations: dict[str, Translation] = {}
    localized = {}
    if program is not None:
        translations, found = read_translations(layout, program, source)
        problems += found + stray_translations(layout, program)
        problems += [p for language in further if language in translations
                     for p in locale_problems(layout, translations[language].program)]  # locale/de.po too
        for language in further or ():
            try:
                localized[language] = load_localized(layout, language, reserved_names(), cohort_name,
                                                     {page.name for page in pages} if content_read else None)
            except InputError as exc:
                problems += exc.problems
                continue
            if language in translations and content_read:  # the translated texts' links and the pages'
                local = {p.name: p for p in localized[language][0]}
                problems += markdown_problems(translations[language].source, translations[language].program,
                                              [local.get(p.name, p) for p in pages if p.name in local],
                                              assets, site_paths=site_paths)
    problems += _settings_problems(layout)
    problems += locale_problems(layout, program)
    cohort = None
    if reference is not None:
        try:
            cohort, cohort_source = read_cohort(layout.root, reference[0], program, reference[1])
        except InputError as exc:
            problems += exc.problems
        else:
            if program is not None:  # groups that break the matching's hard constraints, as `match` never forms
                problems += constraint_problems(cohort, program, cohort_source)
    previous = None
    if program is not None and program.previous:
        try:
            previous = _previous(layout, program, fingerprints=not problems)  # the agreement renders when all is well
        except InputError as exc:
            problems += exc.problems
    date, date_problems = _source_date()
    if problems or date_problems or program is None:
        raise InputError(problems + date_problems)
    return LoadedProject(layout, program, pages, assets, cohort, date, translations, localized, previous=previous,
                         returns=_returns(layout) if cohort is not None else ())


def render(loaded: LoadedProject, site: Optional[SiteTree] = None) -> Rendered:
    """Render the site's pages, the documents for print and the calendars, in every language of the program;
    raise InputError on template problems.

    Each further language's site, book, blank agreement, terms and forms go to a folder named after
    it (`de/`); a group's agreement and calendar are in the group's language, at the paths of a
    one-language build. `site` is the source language's pages when they were rendered already (the
    preview shows them first).
    """
    source = loaded.languages[0]
    cohort = loaded.cohort
    sites: dict[str, SiteTree] = {}
    prints: list[PrintSet] = []
    calendars: dict[str, bytes] = {}
    for language in loaded.languages:
        one = loaded.in_language(language)
        folder = "" if language == source else language
        signing = None
        if cohort is not None and len(loaded.languages) > 1:  # the groups whose papers are in this language
            signing = cohort.model_copy(update={"groups": tuple(
                group for group in cohort.groups if cohort.language(group, source) == language)})
        with i18n.using(words(loaded.layout, one.program)):  # the generator writes in this language
            tree = site if site is not None and not folder else render_site(one, edition(one))
            sites[language] = tree
            prints.append(in_folder(render_print(one, cohort, loaded.source_date, tree.edition, signing=signing),
                                    folder))
            for name, data in render_calendars(one.program, cohort, signing, loaded.program).items():
                calendars[f"{folder}/{name}" if folder and name == PROGRAM_ICS else name] = data
    fingerprints = {language: tree.edition.fingerprint for language, tree in sites.items()}
    before = loaded.previous
    same_words = (before.old_fingerprint, before.old.program.version) \
        if before is not None and before.old_fingerprint and not before.agreement_changed else ()
    re_sign = must_sign_again(cohort, source, loaded.program.program.version, fingerprints, same_words) \
        if cohort else ()
    return Rendered(sites[source], PrintSet.joined(prints), calendars, sites, re_sign)


def render_pages(loaded: LoadedProject) -> SiteTree:
    """Render only the source language's pages (the preview shows them before the rest is rendered)."""
    with i18n.using(words(loaded.layout, loaded.program)):
        return render_site(loaded, edition(loaded))


def check(root: Path) -> LoadedProject:
    """Run the whole stage on the project at `root` and write nothing: what `handbook check` does."""
    loaded = load(root)
    render(loaded)
    return loaded


def _settings_problems(layout: Layout) -> list[Problem]:
    """Return the problems of mkdocs.yml: what reading it finds, then what the site engine finds."""
    if not layout.mkdocs.is_file():
        return []
    try:
        settings = read_settings(layout.mkdocs, layout.root)
    except InputError as exc:
        return list(exc.problems)
    from handbook.output.engines.mkdocs import config_problems

    return config_problems(settings)


def _cohort_reference(layout: Layout, program: object | None) -> tuple[str, Problem] | None:
    """Return the cohort file program.yaml names and where it names it, even when program.yaml is invalid."""
    name = getattr(program, "cohort", None)
    text = ""
    if layout.program.is_file():
        text = layout.program.read_bytes().decode("utf-8", "replace")
    if program is None and text:
        try:
            data = load_yaml(text, PROGRAM_FILE).data
        except InputError:
            return None
        name = data.get("cohort") if isinstance(data, dict) and isinstance(data.get("cohort"), str) else None
    if not name:
        return None
    lines = text.splitlines()
    number = next((i + 1 for i, line in enumerate(lines) if re.match(r"cohort\s*:", line)), 0)
    where = Problem(PROGRAM_FILE, number, 1 if number else 0, "", source_line=lines[number - 1] if number else "")
    return name, where


def _previous(layout: Layout, program: Program, fingerprints: bool = True) -> Compared:
    """Read and validate the version before (program.yaml's `previous:`) and compare it with `program`.

    The agreement's fingerprints are both in the source language, as its agreements print them; its
    words changed when they differ even with the older version given the newer one's version and dates.
    Raise InputError naming program.yaml's `previous:` line when the file is missing or invalid.
    """
    name = program.previous or ""
    lines = layout.program.read_bytes().decode("utf-8", "replace").splitlines()
    number = next((i + 1 for i, line in enumerate(lines) if re.match(r"previous\s*:", line)), 0)

    def problem(message: str, hint: str) -> Problem:
        return Problem(PROGRAM_FILE, number, 1 if number else 0, message, path="previous", hint=hint,
                       source_line=lines[number - 1] if number else "")

    path = layout.root / name
    hint = ("give the path, relative to program.yaml, of the program file of the version before (e.g. "
            "`versions/program-2025.yaml`), or remove `previous:`")
    if not path.is_file():
        raise InputError([problem(f"the previous version's program file {name!r} does not exist", hint)])
    root, real = layout.root.resolve(), path.resolve()
    if root not in real.parents:
        raise InputError([problem(f"the previous version's program file {name!r} is outside the project", hint)])
    if real in (layout.program.resolve(), *(p.resolve() for p in [layout.cohort()] if p is not None)):
        raise InputError([problem(f"{name!r} is not the program file of the version before", hint)])
    try:
        old = validate_program(load_yaml(path.read_bytes(), layout.relative(path)))
    except InputError as exc:
        raise InputError([problem(f"the previous version's program file {name!r} is not a valid program "
                                  "(its problems follow)", "correct that file, or point `previous:` to "
                                  "another one"), *exc.problems]) from None
    prints, changed = ("", ""), None
    if fingerprints:
        with i18n.using(words(layout, program)):
            prints = agreement_fingerprint(old), agreement_fingerprint(program)
            changed = prints[0] != prints[1] and agreement_fingerprint(dated_as(old, program)) != prints[1]
    return Compared(name, old, program, tuple(program_changes(old, program)), *prints, words_changed=changed)


def _returns(layout: Layout) -> tuple[Stored, ...]:
    """Return the returned forms `handbook collect` stored; none when there are none or the database is damaged
    (`handbook collect` names it; a build never fails over figures it only aggregates)."""
    try:
        return tuple(read_returns(layout.returns))
    except (StoreError, OSError):
        return ()


def _source_date() -> tuple[Optional[str], list[Problem]]:
    """Return SOURCE_DATE_EPOCH as a W3C date-time (None when unset), or a problem when it is no date."""
    epoch = os.environ.get(EPOCH, "").strip()
    if not epoch:
        return None, []
    try:
        if epoch.isdigit():
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), []
    except (OverflowError, ValueError, OSError):  # past the year 9999
        pass
    return None, [Problem(EPOCH, 0, 0, f"expected whole seconds since 1970, got {epoch!r}",
                          hint="for example SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)")]
