"""The command line: parse arguments, call the core, turn errors into messages and exit codes."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

import click

from handbook import __version__
from handbook.errors import DISK_ERRORS, WRITE_PROBLEMS, HandbookError, Stopped


def _console(stderr: bool = True) -> Any:
    from rich.console import Console

    # Rich drops colour by itself under NO_COLOR and when the stream is not a terminal.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def run(action: Callable[[], int | None], debug: bool) -> None:
    """Run `action`; map HandbookError to its exit code and anything else to 1, without a traceback."""
    try:
        code = action() or 0
    except HandbookError as exc:
        _console().print(exc.format(), markup=False)
        if debug:
            traceback.print_exc()
        sys.exit(exc.exit_code)
    except Stopped as exc:  # SIGTERM or SIGHUP: the build cleaned up on its way out
        _console().print(f"{exc}; build/ holds the last complete build", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _console().print("interrupted; build/ was left as it was", markup=False)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: a bug, not the coordinator's fault
        if debug:
            traceback.print_exc()
        if isinstance(exc, OSError) and exc.errno in DISK_ERRORS and exc.filename:  # not a bug: the disk
            reason, hint = WRITE_PROBLEMS[exc.errno]
            _console().print(f"{reason} while writing {exc.filename}\n    hint: {hint}", markup=False)
        else:
            _console().print(f"internal error: {type(exc).__name__}: {exc}\n"
                             "    hint: run again with --debug and report the traceback", markup=False)
        sys.exit(1)
    sys.exit(code)


project_option = click.option(
    "--project", "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="Folder that holds program.yaml.")
debug_option = click.option("--debug", is_flag=True, help="Show a traceback when something fails.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handbook")
def main() -> None:
    """Program handbooks as code: program.yaml becomes a handbook site and printable agreements."""


@main.command()
@project_option
@debug_option
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--engine", type=click.Choice(["mkdocs", "zensical"]), default="mkdocs", show_default=True,
              help="Site engine; zensical needs the optional extra `handbook[zensical]`.")
@click.option("--force", is_flag=True, help="Build even when nothing changed since the last build.")
def build(project: Path, debug: bool, quiet: bool, engine: str, force: bool) -> None:
    """Build the handbook site, PDFs and calendars into build/."""

    def action() -> None:
        from handbook import i18n
        from handbook.commands.build import build as build_project
        from handbook.load.locale import project_words

        console = _console(stderr=False)
        with i18n.using(project_words(project)):  # what it prints, in the program's language
            result = build_project(project, engine=engine, force=force,
                                   progress=None if quiet else lambda m: console.print(f"  {m}", markup=False),
                                   watch_pdfs=None if quiet else lambda done: _pdf_progress(console, done))
            if result.skipped and not quiet:
                console.print(i18n._("build/ is up to date (%(seconds)s s); --force builds anyway",
                                     seconds=_seconds(result.seconds, 2)), markup=False)
                return
            if not quiet:
                console.print(i18n.ngettext("built %(num)s page into %(folder)s in %(seconds)s s",
                                            "built %(num)s pages into %(folder)s in %(seconds)s s", result.pages,
                                            folder=result.build_dir / "site", seconds=_seconds(result.seconds)),
                              markup=False)
                for note in result.notes:
                    _console().print(note, markup=False)

    run(action, debug)


def _seconds(value: float, decimals: int = 1) -> str:
    """Return seconds as the current language writes numbers: 3.2, 3,2."""
    from babel.numbers import format_decimal

    from handbook import i18n

    return format_decimal(value, "0." + "0" * decimals, locale=i18n.current().locale)


@main.command()
@project_option
@debug_option
@click.option("--standards", is_flag=True,
              help="Also report how the program covers MENTOR's and EMCC's standards of mentoring practice.")
@click.option("--untranslated", is_flag=True,
              help="Also list each text of program.yaml that a further language does not translate yet.")
def check(project: Path, debug: bool, standards: bool, untranslated: bool) -> None:
    """Validate program.yaml, its translations, the cohort and content pages; write nothing."""

    def action() -> None:
        from handbook import i18n
        from handbook.commands.stage import check as check_project
        from handbook.load.locale import language_notes, words
        from handbook.load.translations import translation_notes
        from handbook.plan.schedule import rhythm_notes

        loaded = check_project(project)  # the stage build runs, templates rendered too; nothing written
        program = loaded.program
        with i18n.using(words(loaded.layout, program)):  # what it prints, in the program's language
            counts = {"modules": i18n.ngettext("%(num)s training module", "%(num)s training modules",
                                               len(program.training.modules)),
                      "challenges": i18n.ngettext("%(num)s challenge", "%(num)s challenges", len(program.challenges)),
                      "playbooks": i18n.ngettext("%(num)s playbook", "%(num)s playbooks", len(program.playbooks))}
            _console(stderr=False).print(i18n._(
                "program.yaml is valid: %(name)s %(version)s, %(modules)s, %(challenges)s, %(playbooks)s",
                name=program.program.name, version=program.program.version, **counts), markup=False)
            for note in language_notes(loaded.layout, program):
                _console().print(note, markup=False)
            for note in translation_notes(loaded.translations, loaded.languages[0], every=untranslated):
                _console().print(note, markup=False)
            for note in rhythm_notes(program):  # e.g. 10 sessions asked for, monthly over 6 months
                _console().print(note, markup=False)
            if standards:
                _print_standards(program)

    run(action, debug)


def _pdf_progress(console: Any, done: Callable[[], tuple[int, int]]) -> None:
    """Show a progress bar while the PDFs render (on a terminal only; nothing otherwise)."""
    import time

    if not console.is_terminal:
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from handbook import i18n

    columns = (TextColumn("  " + i18n._("printing PDFs")), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("pdf", total=None)
        while True:
            finished, total = done()
            bar.update(task, completed=finished, total=max(total, 1))
            if finished >= total:
                return
            time.sleep(0.1)


def _print_standards(program: Any) -> None:
    from rich.table import Table

    from handbook.i18n import _, ngettext
    from handbook.plan.standards import STATUS_LABELS, assess

    results = assess(program)
    table = Table(title=_("Standards of mentoring practice"), show_lines=True)
    for column in (_("Standard"), _("Set by"), _("Coverage"), _("How the program covers it"), _("To do")):
        table.add_column(column, overflow="fold")
    for item in results:
        table.add_row(item.standard, item.body, _(STATUS_LABELS[item.status]), "; ".join(item.evidence),
                      "; ".join(item.gaps))
    console = _console(stderr=False)
    console.print(table)
    gaps = sum(len(item.gaps) for item in results)
    console.print(_("%(covered)s of %(total)s standards covered; %(gaps)s", covered=sum(
        item.status == "met" for item in results), total=len(results),
        gaps=ngettext("%(num)s gap to close", "%(num)s gaps to close", gaps)), markup=False)


@main.command()
@debug_option
def schema(debug: bool) -> None:
    """Print the JSON Schema of program.yaml (for editor completion and validation)."""

    def action() -> None:
        from handbook.model import program_schema

        click.echo(json.dumps(program_schema(), indent=2, ensure_ascii=False))

    run(action, debug)


@main.command()
@click.argument("language")
@project_option
@debug_option
@click.option("--force", is_flag=True, help="Overwrite the file when it exists.")
def messages(language: str, project: Path, debug: bool, force: bool) -> None:
    """Write locale/LANGUAGE.po: every word handbook writes, to change for this project or translate."""

    def action() -> None:
        from handbook import i18n
        from handbook.commands.catalogs import write_project_catalog
        from handbook.load.locale import project_words

        path, count = write_project_catalog(project, language, force=force)
        with i18n.using(project_words(project)):
            console = _console(stderr=False)
            shown = project / path.relative_to(path.parents[1])  # as the coordinator named the project: locale/de.po
            console.print(i18n.ngettext("wrote %(file)s: %(num)s message.", "wrote %(file)s: %(num)s messages.",
                                        count, file=shown.as_posix()), markup=False)
            console.print(i18n._("Change the msgstr lines you want, delete the entries you keep as they are, "
                                 "then run handbook build. It reads the file while program.yaml says "
                                 "`language: %(language)s`.", language=language), markup=False)

    run(action, debug)


@main.command()
@click.argument("language")
@project_option
@debug_option
def translate(language: str, project: Path, debug: bool) -> None:
    """Write or update program.LANGUAGE.yaml: every text of program.yaml, to translate in place."""

    def action() -> None:
        from handbook import i18n
        from handbook.commands.translate import write_translation
        from handbook.load.locale import project_words

        written = write_translation(project, language)
        translation = written.translation
        with i18n.using(project_words(project)):
            console = _console(stderr=False)
            total = len(translation.entries)
            console.print(i18n.ngettext(
                "wrote %(file)s: %(num)s text, %(done)s translated, %(missing)s to translate, %(stale)s stale.",
                "wrote %(file)s: %(num)s texts, %(done)s translated, %(missing)s to translate, %(stale)s stale.",
                total, file=written.path.name, done=total - len(translation.missing),
                missing=len(translation.missing), stale=len(translation.stale)), markup=False)
            console.print(i18n._("Translate the texts in place, keeping each `# source` mark; then run handbook "
                                 "check, which lists what is still missing or stale."), markup=False)

    run(action, debug)


@main.command()
@click.argument("old", required=False)
@project_option
@debug_option
def changes(old: str | None, project: Path, debug: bool) -> None:
    """Say what changed in program.yaml since OLD (an older file or a git revision; default: the last commit)."""

    def action() -> None:
        from handbook import i18n
        from handbook.commands.changes import compare, summary
        from handbook.load.locale import project_words

        compared = compare(project, old)
        with i18n.using(project_words(project)):
            console = _console(stderr=False)
            for line in summary(compared):
                console.print(line, markup=False, highlight=False)

    run(action, debug)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@project_option
@debug_option
def collect(paths: tuple[Path, ...], project: Path, debug: bool) -> None:
    """Read returned forms (PDF files, or folders of them) and write build/private/monitoring.html."""

    def action() -> int:
        from handbook import i18n
        from handbook.commands.collect import collect as run_collect
        from handbook.commands.collect import shown_path
        from handbook.load.locale import project_words

        done = run_collect(project, paths)
        with i18n.using(project_words(project)):
            console = _console(stderr=False)
            console.print(i18n.ngettext("collected %(num)s new form", "collected %(num)s new forms", len(done.added))
                          + (i18n.ngettext(", %(num)s of them of an older version", ", %(num)s of them of an older "
                                           "version", len(done.older)) if done.older else "") + ".", markup=False)
            for shown, before in done.again:
                console.print(i18n._("%(file)s: collected before (as %(earlier)s), not counted again.", file=shown,
                                     earlier=before), markup=False)
            if done.report is not None and done.monitoring is not None:
                gaps = len(done.monitoring.gaps)
                console.print(i18n.ngettext("wrote %(file)s: %(num)s group to act on.",
                                            "wrote %(file)s: %(num)s groups to act on.", gaps,
                                            file=shown_path(done.report)), markup=False)
        if done.refused:
            errors = _console()
            for problem in done.refused:
                errors.print(problem.format(), markup=False)
            count = len(done.refused)
            errors.print(f"{count} file{'s' if count > 1 else ''} refused; every other file was collected, "
                         "and nothing collected before was lost.", markup=False)
            return 2
        return 0

    run(action, debug)


@main.command(name="match")
@click.argument("roster", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("cohort.yaml"),
              show_default=True, help="Cohort file to write (relative to the project).")
@click.option("--start", "start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="First session date of every group (default: the program's effective date).")
@click.option("--name", "name", default=None, help="Name of the cycle, e.g. 'Autumn 2026'.")
@click.option("--previous", "previous", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Cohort file of an earlier cycle; its partners are not matched again. Repeatable.")
@project_option
@debug_option
def match_command(roster: Path, out: Path, start: Any, name: str | None, previous: tuple[Path, ...],
                  project: Path, debug: bool) -> None:
    """Match peers from a roster CSV into groups of `matching.group_size`; write the cohort file and a report."""

    def action() -> None:
        from handbook import i18n
        from handbook.commands.match import run_match
        from handbook.load.locale import project_words
        from handbook.render.matchreport import group_kinds, score

        target = out if out.is_absolute() else project / out
        run = run_match(project, roster, target, start=start.date() if start else None, name=name,
                        previous=list(previous))
        result = run.result
        people = sum(len(g.members) for g in result.groups)
        console = _console(stderr=False)
        with i18n.using(project_words(project)):  # what it prints, in the program's language
            console.print(i18n.ngettext(
                "matched %(people)s people into %(num)s group (%(kinds)s) in %(seconds)s s; mean score %(mean)s, "
                "lowest %(lowest)s", "matched %(people)s people into %(num)s groups (%(kinds)s) in %(seconds)s s; "
                "mean score %(mean)s, lowest %(lowest)s", len(result.groups), people=i18n.current().number(people),
                kinds=group_kinds(result.groups), seconds=_seconds(run.seconds), mean=score(result.mean),
                lowest=score(result.lowest.score)), markup=False)
            if run.greedy_total:
                console.print(i18n._("against greedy: %(total)s vs %(greedy)s total", total=score(result.total),
                                     greedy=score(run.greedy_total)), markup=False)
            console.print(i18n._("wrote %(cohort)s and %(report)s (coordinator only)", cohort=run.cohort_path,
                                 report=run.report_path), markup=False)

    run(action, debug)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--example", is_flag=True, help="Copy the full example program instead of a small starter.")
@debug_option
def init(directory: Path, example: bool, debug: bool) -> None:
    """Start a new program in DIRECTORY: program.yaml, mkdocs.yml, content/ and templates/."""

    def action() -> None:
        from handbook.commands.init import init_project

        written = init_project(directory, example=example)
        console = _console(stderr=False)
        console.print(f"created {len(written)} files in {directory}:", markup=False)
        for path in written:
            console.print(f"  {path.relative_to(directory).as_posix()}", markup=False)
        console.print(f"next: cd {directory} && handbook serve   (or: handbook build)", markup=False)

    run(action, debug)


@main.command()
@project_option
@debug_option
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
def serve(project: Path, debug: bool, port: int) -> None:
    """Preview the handbook on 127.0.0.1; rebuild and reload the browser on every change."""

    def action() -> None:
        import time

        from handbook import i18n
        from handbook.commands.serve import Preview
        from handbook.load.locale import project_words
        from handbook.output.workspace import stop_on_signals

        console = _console(stderr=True)
        try:
            preview = Preview(project, port, lambda m: console.print(m, markup=False))
        except OSError as exc:
            raise HandbookError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}",
                                hint="pick another port with --port, or --port 0 for any free one") from None
        words = project_words(project)  # what it prints, in the program's language
        try:
            # A closed terminal (SIGHUP) or a process manager (SIGTERM) stops it as Ctrl+C does.
            with stop_on_signals():
                preview.start()
                with i18n.using(words):
                    console.print(i18n._("serving %(url)s  (Ctrl+C stops)", url=preview.url), markup=False)
                while True:
                    time.sleep(3600)
        except KeyboardInterrupt:
            with i18n.using(words):
                console.print(i18n._("stopping the preview and its background build"), markup=False)
        finally:
            preview.stop()
        with i18n.using(words):
            console.print(i18n._("stopped"), markup=False)

    run(action, debug)
