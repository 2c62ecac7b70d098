"""The site adapter: hand the rendered Markdown tree to the site engine, and the engine's complaints back as
located problems; offer the non-personal PDFs for download on the site."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from handbook import i18n
from handbook.errors import EngineError, HandbookError, InputError, Problem
from handbook.load.locale import words
from handbook.load.project import Loaded
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


def build_site(loaded: Loaded, tree: SiteTree, site_dir: Path, engine: str = "mkdocs") -> None:
    """Have the site engine build `tree` into `site_dir`, with the project's settings (or the defaults)."""
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
                               nav=tree.nav, extra_css=["assets/handbook.css"])
        except EngineError as exc:
            raise engine_problems(exc, loaded) from None


def copy_downloads(print_set: PrintSet, pdf_dir: Path, downloads_dir: Path) -> int:
    """Copy the PDFs that hold no personal data into the site's downloads folder; return how many."""
    public = print_set.public()
    for output in public:
        target = downloads_dir / output.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf_dir / output.path, target)
    return len(public)
