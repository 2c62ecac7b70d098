"""`handbook collect FILE_OR_FOLDER...`: read returned forms into the project's database, write the report.

Each PDF (a folder: every PDF under it) is read (`load.returned`), identified against the forms
the program prints and the cohort's groups (`plan.returns.identify`), and what the program keeps
of it (`plan.returns.kept`) is stored in .handbook/returns.sqlite, one transaction per file. A
file collected before (the same bytes) is recognised and not counted again; a form of an older
version is stored and marked; a file refused gets one problem naming it, and the command exits 2
once every other file is stored. Then build/private/monitoring.html is written again from
everything stored. The project's lock keeps a build from publishing build/ meanwhile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from handbook import i18n
from handbook.commands import stage
from handbook.errors import InputError, Problem
from handbook.layout import PROGRAM_FILE, Layout
from handbook.load.returned import iter_pdfs, read_filled
from handbook.output.returns import Store, read_returns
from handbook.output.workspace import private_dir, project_lock, write_private
from handbook.plan.monitoring import Monitoring, monitoring
from handbook.plan.returns import Returned, Stored, identify, kept, returned_forms
from handbook.render.monitoring import as_of, monitoring_html
from handbook.render.printing import form_group_size


@dataclass
class Collected:
    """What one run of `collect` did, file by file."""

    added: list[Returned] = field(default_factory=list)
    again: list[tuple[str, str]] = field(default_factory=list)  # (file, the name it was collected as before)
    refused: list[Problem] = field(default_factory=list)
    report: Optional[Path] = None
    monitoring: Optional[Monitoring] = None

    @property
    def older(self) -> list[Returned]:
        return [item for item in self.added if not item.current]


def shown_path(path: Path) -> str:
    """Return how a message names `path`: relative to the working folder when inside it, else as given."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def report_html(loaded: stage.LoadedProject, returns: list[Stored], on: dt.date) -> tuple[str, Monitoring]:
    """Return the monitoring report of `returns` as of `on`, in the program's language, and its figures."""
    program, cohort = loaded.program, loaded.cohort
    assert cohort is not None
    report = monitoring(program, cohort, returns, on, form_group_size(program, cohort))
    with i18n.using(stage.words(loaded.layout, program)):
        html = monitoring_html(program, report, {group.id: len(group.members) for group in cohort.groups})
    return html, report


def write_report(loaded: stage.LoadedProject, on: Optional[dt.date] = None) -> Optional[tuple[Path, Monitoring]]:
    """Write build/private/monitoring.html from every stored return; None when nothing was ever collected."""
    layout = loaded.layout
    if loaded.cohort is None or not layout.returns.is_file():
        return None
    html, report = report_html(loaded, read_returns(layout.returns), on or as_of(loaded.source_date))
    target = layout.outputs.monitoring
    private_dir(target.parent)
    write_private(target, html.encode("utf-8"))
    return target, report


def collect(root: Path, paths: Sequence[Path], *, on: Optional[dt.date] = None) -> Collected:
    """Collect the returned forms in `paths` into the project at `root`; write the monitoring report."""
    loaded = stage.load(root)
    layout: Layout = loaded.layout
    if loaded.cohort is None:
        raise InputError([Problem(PROGRAM_FILE, 0, 0, "names no cohort file: returned forms are counted per group",
                                  hint="add `cohort: cohort.yaml` to program.yaml (handbook match writes one)")])
    missing = [path for path in paths if not path.exists()]
    if missing:
        raise InputError([Problem(shown_path(path), 0, 0, "does not exist",
                                  hint="name the returned PDF forms, or a folder that holds them") for path in missing])
    forms = returned_forms(loaded.program, form_group_size(loaded.program, loaded.cohort))
    groups = [group.id for group in loaded.cohort.groups]
    done = Collected()
    with project_lock(layout):
        with Store(layout.returns) as store:
            for path in iter_pdfs(list(paths)):
                shown = shown_path(path)
                filled = read_filled(path, shown)
                if isinstance(filled, Problem):
                    done.refused.append(filled)
                    continue
                before = store.has(filled.digest)
                if before is not None:
                    done.again.append((shown, before))
                    continue
                found = identify(shown, filled.digest, filled.values, forms, groups)
                if isinstance(found, Problem):
                    done.refused.append(found)
                    continue
                stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
                if store.add(digest=found.digest, file=path.name, collected=stamp, form=found.form.slug,
                             version=found.version, group=found.group, answers=kept(found.form, found.values)):
                    done.added.append(found)
                else:
                    done.again.append((shown, store.has(found.digest) or path.name))
        written = write_report(loaded, on)
    if written is not None:
        done.report, done.monitoring = written
    return done
