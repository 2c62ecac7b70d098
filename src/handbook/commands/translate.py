"""`handbook translate LANGUAGE`: write or update program.<language>.yaml, the file a translator works in.

The program must be valid and list the language in `program.languages`; an existing translation
must read without problems (otherwise nothing is written, so nothing in it is lost). Its
translations and marks are kept, every text it lacks is added as the source text to translate in
place (see `handbook.render.translation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from handbook.errors import InputError, Problem
from handbook.layout import PROGRAM_FILE, Layout
from handbook.load.project import read_program
from handbook.load.translations import Translation, read_translation
from handbook.load.validate import validate_program
from handbook.output.workspace import write_atomically
from handbook.render.translation import translation_yaml


@dataclass(frozen=True)
class Written:
    """What `write_translation` wrote: the file and the state of its texts."""

    path: Path
    translation: Translation  # as read before writing: what is translated, missing, stale


def write_translation(root: Path, language: str) -> Written:
    """Write program.<language>.yaml into the project at `root`; raise InputError when the program or the file has
    problems, or does not list `language` as a further language."""
    layout = Layout(Path(root).resolve())
    source = read_program(layout)
    program = validate_program(source)
    languages = program.program.languages
    if language not in languages[1:]:
        listed = ", ".join(languages) if languages else program.program.language
        where = "program.languages" if languages else "program.language"
        hint = (f"the source language {language!r} is program.yaml itself" if languages[:1] == (language,) else
                f"add it to `program.languages` in {PROGRAM_FILE} first: `languages: "
                f"[{', '.join(languages or (program.program.language,))}, {language}]`")
        line, column = source.position(("program", "languages" if languages else "language"))
        raise InputError([Problem(PROGRAM_FILE, line, column, f"the program is not published in {language!r} "
                                  f"({where}: {listed})", hint=hint, source_line=source.line(line))],
                         summary="nothing was written.")
    translation = read_translation(layout, program, language, source)
    write_atomically(layout.translation(language), translation_yaml(program, language, translation))
    return Written(layout.translation(language), translation)
