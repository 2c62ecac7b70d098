"""`handbook build`: the stage (load, validate, render), then the output adapters write a fresh folder that
replaces build/ in one step. A failed or killed build leaves the previous build/ as it was.

The progress lines it says are in the language of the caller's `i18n.using` block (the CLI sets the
program's); the stage renders in the program's language whatever the caller's.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from handbook import i18n
from handbook.i18n import _, ngettext
from handbook.layout import (
    BUILD_DIR,
    DOWNLOADS_DIR,
    OFFLINE_ZIP,
    PRIVATE_DIR,
    RE_SIGN,
    Layout,
    Outputs,
)
from handbook.output.workspace import (
    inputs_digest,
    keep_private,
    last_build,
    outputs_stamp,
    parking,
    private_dir,
    project_lock,
    publish,
    remember_build,
    shielded,
    staging,
    stop_on_signals,
    write_error,
    write_private,
    write_tree,
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    build_dir: Path
    pages: int
    seconds: float
    skipped: bool = False  # nothing changed, nothing was done
    notes: tuple[str, ...] = ()  # about the machine, not the input (e.g. a library the PDF renderer lacks)


@contextmanager
def _writing(layout: Layout, where: Path) -> Iterator[None]:
    """Say which part of build/ was being written when the disk refuses a write without naming a file."""
    try:
        yield
    except OSError as exc:
        error = write_error(exc, layout, layout.relative(where) + ("/" if where == layout.build else ""))
        if error is exc:
            raise
        raise error from exc


def build(root: Path, *, engine: str = "mkdocs", progress: Progress | None = None,
          watch_pdfs: Callable[[Callable[[], tuple[int, int]]], None] | None = None,
          force: bool = False) -> BuildResult:
    """Build the project at `root` into `root/build`, replacing it only when everything succeeded.

    Nothing is done when no input changed since the last build and build/ is as that build left it
    (`force` builds anyway). `watch_pdfs` is called with a function that tells how far the PDFs are.
    """
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    layout = Layout(Path(root).resolve())
    digest = inputs_digest(layout, engine)
    previous = last_build(layout)
    if not force and previous and previous.get("inputs") == digest and previous.get("outputs") == outputs_stamp(layout):
        say(_("nothing changed since the last build"))
        return BuildResult(layout.build, int(previous.get("pages", 0)), time.perf_counter() - started, skipped=True)

    # Imported only now: the check above must answer fast (the model and the engines take a third of a second).
    from handbook.commands.stage import load, render
    from handbook.load.translations import translation_notes
    from handbook.output.offline import package_site
    from handbook.output.site import build_sites, copy_downloads
    from handbook.render.signing import re_sign_csv

    # First gather all data: load, validate and render, before anything is written.
    loaded = load(layout.root)
    if loaded.cohort:
        say(ngettext("program is valid, cohort of %(people)s people in %(num)s group",
                     "program is valid, cohort of %(people)s people in %(num)s groups", len(loaded.cohort.groups),
                     people=i18n.current().number(len(loaded.cohort.participants))))
    else:
        say(_("program is valid"))
    for note in translation_notes(loaded.translations, loaded.languages[0]):  # what falls back, what is stale
        say(note)
    rendered = render(loaded)
    pages = sum(len(tree.pages) for tree in rendered.sites.values())
    say(ngettext("rendered %(num)s page", "rendered %(num)s pages", pages))
    say(ngettext("rendered %(num)s document for print", "rendered %(num)s documents for print",
                 len(rendered.prints.paths())))
    say(ngettext("rendered %(num)s calendar", "rendered %(num)s calendars", len(rendered.calendars)))
    if rendered.re_sign:
        listed = "/".join((BUILD_DIR, PRIVATE_DIR, RE_SIGN))
        say(ngettext("%(num)s group must sign again, its agreement's text changed: %(groups)s (%(file)s)",
                     "%(num)s groups must sign again, their agreement's text changed: %(groups)s (%(file)s)",
                     len(rendered.re_sign), groups=", ".join(r.group.id for r in rendered.re_sign),
                     file=listed))

    # Start writing files now that all data is gathered: a fresh folder, swapped in for build/ at the end.
    from handbook.output.pdf import PdfJob

    # SIGTERM/SIGHUP raise here like Ctrl+C, so that the workers and the staging folder go too.
    with _writing(layout, layout.build), stop_on_signals(), project_lock(layout, say):
        with staging(layout) as folder:
            out = Outputs(folder)
            job = None
            try:
                # The PDFs render in worker processes while this process builds the site.
                with _writing(layout, layout.outputs.pdf):
                    job = PdfJob(rendered.prints, layout.root, out.pdf, cache=layout.pdf_cache)
                with _writing(layout, layout.outputs.site):
                    build_sites([(loaded.in_language(language), rendered.sites[language])
                                 for language in loaded.languages], out.site, engine)
                say(_("site built"))
                if watch_pdfs is not None:
                    watch_pdfs(job.progress)
                with _writing(layout, layout.outputs.pdf):
                    report = job.result()
                say(ngettext("printed %(num)s PDF (%(rendered)s rendered, %(reused)s unchanged)",
                             "printed %(num)s PDFs (%(rendered)s rendered, %(reused)s unchanged)", len(report.pages),
                             rendered=i18n.current().number(report.rendered),
                             reused=i18n.current().number(report.reused)))
                with _writing(layout, layout.outputs.downloads):  # each language's site offers its language's
                    copied = sum(copy_downloads(rendered.prints, out.pdf, out.site / folder / DOWNLOADS_DIR, folder)
                                 for folder in ["", *loaded.languages[1:]])
                say(ngettext("%(num)s PDF offered for download on the site",
                             "%(num)s PDFs offered for download on the site", copied))
                with _writing(layout, layout.outputs.offline_zip):
                    package_site(out.site, out.offline_zip)
                say(_("offline copy packed: %(file)s", file=OFFLINE_ZIP))
                with _writing(layout, layout.outputs.calendar):
                    write_tree(out.calendar, dict(rendered.calendars))
                with _writing(layout, layout.outputs.private):
                    keep_private(layout.build, folder)
                    if loaded.cohort is not None:  # who must sign again: coordinator only, never on the site
                        private_dir(out.private)
                        write_private(out.re_sign, re_sign_csv(loaded.cohort, rendered.re_sign).encode("utf-8"))
                    if loaded.cohort is not None and loaded.returns:  # what the returned forms say, as of this build
                        from handbook.commands.collect import report_html
                        from handbook.render.monitoring import as_of

                        private_dir(out.private)
                        html, _report = report_html(loaded, list(loaded.returns), as_of(loaded.source_date))
                        write_private(out.monitoring, html.encode("utf-8"))
                with shielded():
                    publish(folder, layout.build, parking(folder))
            except BaseException:
                if job is not None:
                    job.close()
                raise
        try:
            remember_build(layout, digest, pages)
        except OSError:
            pass  # only the next build's "nothing changed" check reads it: that build does the work
    return BuildResult(layout.build, pages, time.perf_counter() - started, notes=report.notes)
