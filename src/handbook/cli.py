"""The command line: parse arguments, call the core, turn errors into messages and exit codes."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .errors import HandbookError


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
    except KeyboardInterrupt:
        _console().print("interrupted; build/ was left as it was", markup=False)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: a bug, not the coordinator's fault
        if debug:
            traceback.print_exc()
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
def build(project: Path, debug: bool, quiet: bool) -> None:
    """Build the handbook site (and PDFs) into build/."""

    def action() -> None:
        from .build import build as build_project

        console = _console(stderr=False)
        result = build_project(project, progress=None if quiet else lambda m: console.print(f"  {m}", markup=False))
        if not quiet:
            console.print(f"built {result.pages} pages into {result.build_dir / 'site'} "
                          f"in {result.seconds:.1f} s", markup=False)

    run(action, debug)


@main.command()
@project_option
@debug_option
def check(project: Path, debug: bool) -> None:
    """Validate program.yaml and content pages; write nothing."""

    def action() -> None:
        from .build import load
        from .site import render_site

        loaded = load(project)
        render_site(loaded)  # templates are input too: render them, write nothing
        program = loaded.program
        _console(stderr=False).print(
            f"program.yaml is valid: {program.program.name} {program.program.version}, "
            f"{len(program.training.modules)} training modules, {len(program.challenges)} challenges, "
            f"{len(program.playbooks)} playbooks", markup=False)

    run(action, debug)


@main.command()
@debug_option
def schema(debug: bool) -> None:
    """Print the JSON Schema of program.yaml (for editor completion and validation)."""

    def action() -> None:
        from .schema import program_schema

        click.echo(json.dumps(program_schema(), indent=2, ensure_ascii=False))

    run(action, debug)
