"""The site adapter: hand the rendered Markdown tree to the site engine, and the engine's complaints back as
located problems; offer the non-personal PDFs for download on the site.

A site in several languages (`build_sites`) is one engine build per language: the source language at
the site's root, as a site in one language is, every other in a folder named by its tag (site/de/),
each with its own search index and a language switch leading to the same page in the others.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

from handbook import i18n
from handbook.errors import EngineError, HandbookError, InputError, Problem
from handbook.load.locale import words
from handbook.load.project import Loaded
from handbook.output.engines import SiteLanguage
from handbook.output.workspace import write_tree
from handbook.render.printing import PrintSet
from handbook.render.site import SiteTree

DEFAULT_SETTINGS = Path(__file__).parents[1] / "skeleton" / "mkdocs.yml"  # when the project has no mkdocs.yml


def write_docs(tree: SiteTree, docs_dir: Path) -> None:
    """Write the rendered Markdown tree and its files into `docs_dir`."""
    write_tree(docs_dir, {**tree.pages, **tree.files})


def engine_problems(exc: EngineError, loaded: Loaded) -> HandbookError:
    """Turn engine warnings about content pages into located input problems; `exc` itself for the rest."""
    content = {page.name for page in loaded.pages}
    problems = []
    for message in exc.message.splitlines()[1:]:
        match = re.search(r"Doc file '([^']+)' contains a link '([^']+)'", message)
        if not match or match.group(1) not in content:
            continue
        page, target = match.groups()
        path = loaded.layout.content / page
        lines = path.read_text(encoding="utf-8-sig").splitlines() if path.is_file() else []
        line = next((n for n, text in enumerate(lines, 1) if f"({target}" in text), 0)
        column = lines[line - 1].find(f"({target}") + 2 if line else 0
        problems.append(Problem(f"content/{page}", line, column,
                                f"the link to {target!r} leads to no page of the handbook",
                                hint="link to a page by its file name, e.g. [Guidelines](guidelines.md) or "
                                     "[FAQ](faq.md)", source_line=lines[line - 1] if line else ""))
    return InputError(problems) if problems else exc


def language_name(tag: str) -> str:
    """Return a language's name in itself, as its readers look for it in a switch: de -> Deutsch, fr -> Français."""
    return i18n.language_name(tag, alone=True)


def site_languages(sites: Sequence[tuple[Loaded, SiteTree]]) -> tuple[SiteLanguage, ...]:
    """Return the languages of a site built from `sites`, the first (the source language) at the site's root."""
    languages = []
    for index, (loaded, tree) in enumerate(sites):
        tag = loaded.program.program.language
        pages = frozenset(path.removesuffix(".md") + ".html" for path in tree.pages if path.endswith(".md"))
        languages.append(SiteLanguage(tag, language_name(tag), "" if index == 0 else tag, pages))
    return tuple(languages)


def build_sites(sites: Sequence[tuple[Loaded, SiteTree]], site_dir: Path, engine: str = "mkdocs") -> None:
    """Build each language's site: the first (the source language) into site_dir, every other into
    site_dir/<language>/, each with a language switch leading to the same page in the others.

    One language: the same site as `build_site` builds, without a switch.
    """
    languages = site_languages(sites) if len(sites) > 1 else ()
    for index, (loaded, tree) in enumerate(sites):  # the source first: an engine empties its folder
        target = site_dir / languages[index].folder if index else site_dir
        build_site(loaded, tree, target, engine, languages=languages)


def build_site(loaded: Loaded, tree: SiteTree, site_dir: Path, engine: str = "mkdocs",
               languages: Sequence[SiteLanguage] = ()) -> None:
    """Have the site engine build `tree` into `site_dir`, with the project's settings (or the defaults).

    `languages`: every language of a site built in several (`build_sites`), this one among them.
    """
    from handbook.output.engines import get_engine

    layout = loaded.layout
    settings = layout.mkdocs if layout.mkdocs.is_file() else DEFAULT_SETTINGS
    with tempfile.TemporaryDirectory(prefix="handbook-docs-") as work:
        docs_dir = Path(work) / "docs"  # engines may keep their own files beside it
        write_docs(tree, docs_dir)
        try:
            with i18n.using(words(layout, loaded.program)):  # the settings handbook words (the footer)
                get_engine(engine)(docs_dir=docs_dir, site_dir=site_dir, settings=settings,
                               site_name=loaded.program.program.name, language=loaded.program.program.language,
                               nav=tree.nav, extra_css=["assets/handbook.css"], languages=languages)
        except EngineError as exc:
            raise engine_problems(exc, loaded) from None


def copy_downloads(print_set: PrintSet, pdf_dir: Path, downloads_dir: Path, folder: str = "") -> int:
    """Copy the PDFs that hold no personal data into the site's downloads folder; return how many.

    `folder` is a further language's (`de`): its PDFs (build/pdf/de/...) go to that language's
    site, without the folder in their path; the source language's are those in no folder.
    """
    prefix = f"{folder}/" if folder else ""
    public = [o for o in print_set.public() if o.folder == folder]
    for output in public:
        target = downloads_dir / output.path[len(prefix):]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf_dir / output.path, target)
    return len(public)
