"""Where a project's parts are: its inputs, the generator's own files (.handbook/) and the build.

Every path a command reads or writes is named here once. `Layout.build_inputs` lists the files a
build reads; the build's "nothing changed" check and the preview's watcher both use it, so the
preview reacts to exactly what the build would see.

Imports only the standard library.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

# The coordinator's inputs
PROGRAM_FILE = "program.yaml"
CONTENT_DIR = "content"  # hand-written pages and their files
TEMPLATES_DIR = "templates"  # overrides of the package's templates
LOCALE_DIR = "locale"  # overrides of the generator's words: locale/<language>.po
MKDOCS_FILE = "mkdocs.yml"  # site settings
COHORT_FILE = "cohort.yaml"  # what `handbook match` writes unless told otherwise; program.yaml names the one used
# The generator's own files: lock, state, PDF cache, staging records, the preview; owner only
STATE_DIR = ".handbook"
# The build's output
BUILD_DIR = "build"
SITE_DIR = "site"
PDF_DIR = "pdf"
CALENDAR_DIR = "calendar"  # one .ics per group and program.ics
PRIVATE_DIR = "private"  # coordinator-only files another command wrote (the match report); kept across builds
OFFLINE_ZIP = "handbook-site.zip"  # the site for reading offline
DOWNLOADS_DIR = "downloads"  # folder of the site that offers the non-personal PDFs
MATCH_REPORT = "match-report.html"  # in build/private/
RE_SIGN = "re-sign.csv"  # in build/private/: the groups whose signed text is not the current one
MONITORING_REPORT = "monitoring.html"  # in build/private/: what the returned forms say

# The cohort file's name as program.yaml gives it, read without a YAML parser: a no-op build must
# not pay for loading. Quoted names may hold `#`; a plain name ends at a comment.
_COHORT_LINE = re.compile(
    rb"""^cohort:[ \t]*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^'"#\r\n]*?))[ \t]*(?:\#.*)?$""", re.M)

# The previous version's program file as program.yaml gives it (`previous:`), read the same way.
_PREVIOUS_LINE = re.compile(
    rb"""^previous:[ \t]*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^'"#\r\n]*?))[ \t]*(?:\#.*)?$""", re.M)


@dataclass(frozen=True)
class Outputs:
    """The parts of a build folder: build/ itself, or the staging folder that becomes it."""

    folder: Path

    @property
    def site(self) -> Path:
        return self.folder / SITE_DIR

    @property
    def downloads(self) -> Path:
        return self.site / DOWNLOADS_DIR

    @property
    def pdf(self) -> Path:
        return self.folder / PDF_DIR

    @property
    def calendar(self) -> Path:
        return self.folder / CALENDAR_DIR

    @property
    def private(self) -> Path:
        return self.folder / PRIVATE_DIR

    @property
    def offline_zip(self) -> Path:
        return self.folder / OFFLINE_ZIP

    @property
    def match_report(self) -> Path:
        return self.private / MATCH_REPORT

    @property
    def re_sign(self) -> Path:
        return self.private / RE_SIGN

    @property
    def monitoring(self) -> Path:
        return self.private / MONITORING_REPORT


@dataclass(frozen=True)
class Layout:
    """Paths of a project's parts, under `root` (pass it resolved: messages name paths relative to it)."""

    root: Path

    # --- inputs --------------------------------------------------------------------------------

    @property
    def program(self) -> Path:
        return self.root / PROGRAM_FILE

    @property
    def content(self) -> Path:
        return self.root / CONTENT_DIR

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES_DIR

    @property
    def locale(self) -> Path:
        return self.root / LOCALE_DIR

    def messages_file(self, language: str) -> Path:
        """Return the project's own words for `language` (it may not exist): locale/de.po."""
        return self.locale / f"{language}.po"

    def translation(self, language: str) -> Path:
        """Return the translation of program.yaml's texts into `language` (it may not exist): program.de.yaml."""
        stem, _, suffix = PROGRAM_FILE.rpartition(".")
        return self.root / f"{stem}.{language}.{suffix}"

    def translations(self) -> list[Path]:
        """Return the translation files beside program.yaml, whichever languages the program lists."""
        return sorted(self.root.glob(self.translation("*").name))

    @property
    def mkdocs(self) -> Path:
        return self.root / MKDOCS_FILE

    def cohort(self) -> Optional[Path]:
        """Return the cohort file program.yaml names (it may not exist), or None when it names none."""
        try:
            text = self.program.read_bytes()
        except OSError:
            return None
        match = _COHORT_LINE.search(text)
        name = next((group for group in match.groups() if group), None) if match else None
        return self.root / name.decode("utf-8", "replace") if name else None

    def previous(self) -> Optional[Path]:
        """Return the previous version's program file program.yaml names (it may not exist), or None."""
        try:
            text = self.program.read_bytes()
        except OSError:
            return None
        match = _PREVIOUS_LINE.search(text)
        name = next((group for group in match.groups() if group), None) if match else None
        return self.root / name.decode("utf-8", "replace") if name else None

    def build_inputs(self) -> list[Path]:
        """Return every file a build reads: program.yaml, its translations, mkdocs.yml, the cohort file, the
        previous version's program file, content/, templates/, locale/.

        program.yaml and mkdocs.yml are listed even when absent (creating them changes the build).
        In content/ and templates/, hidden files are left out and links are followed as the build
        follows them, except into build/ and .handbook/ (the build refuses such links; following
        them would make every build an input of the next).
        """
        files = [self.program, self.mkdocs, *self.translations()]
        if self.returns.is_file():  # the site's figures of the returned forms
            files.append(self.returns)
        for named in (self.cohort(), self.previous()):
            if named is not None:
                files.append(named)
        for folder in (self.content, self.templates, self.locale):
            files += self._files_under(folder)
        return sorted(set(files))

    def _files_under(self, folder: Path) -> list[Path]:
        root = self.root.resolve()
        outputs = (self.build.resolve(), self.state.resolve())
        files: list[Path] = []
        stack, seen = [folder], set()
        while stack:
            current = stack.pop()
            try:
                real = current.resolve()
            except (OSError, RuntimeError):  # a loop of links: the build names it
                files.append(current)
                continue
            if real in seen:
                continue
            if (root != real and root not in real.parents) or any(o == real or o in real.parents for o in outputs):
                if current.is_symlink():  # the build refuses the link: the link is its input, not what it leads to
                    files.append(current)
                continue
            seen.add(real)
            try:
                entries = list(os.scandir(current))
            except OSError:  # gone or unreadable: nothing to read
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                path = Path(entry.path)
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    stack.append(path)
                elif entry.is_symlink() or entry.is_file():
                    files.append(path)  # a broken link too: the build names it
        return files

    # --- the generator's own files -----------------------------------------------------------

    @property
    def state(self) -> Path:
        """.handbook/: owner-only, like build/; deleting it costs the next build's time, and collecting the
        returned forms again (`returns`)."""
        return self.root / STATE_DIR

    @property
    def lock(self) -> Path:
        return self.state / "build.lock"

    @property
    def returns(self) -> Path:
        """The returned forms `handbook collect` read (SQLite): kept, never published, rebuilt by collecting again."""
        return self.state / "returns.sqlite"

    @property
    def state_file(self) -> Path:
        """What the last successful build read and wrote, for the next build's "nothing changed" check."""
        return self.state / "last-build.json"

    @property
    def pdf_cache(self) -> Path:
        """PDFs of the last build by the hash of their inputs."""
        return self.state / "cache" / "pdf"

    @property
    def staging_records(self) -> Path:
        """One file per folder a build created next to build/, naming the process that created it."""
        return self.state / "staging"

    @property
    def preview(self) -> Path:
        """Where `handbook serve` builds its preview site."""
        return self.state / "serve"

    # --- the build ------------------------------------------------------------------------------

    @property
    def build(self) -> Path:
        return self.root / BUILD_DIR

    @property
    def outputs(self) -> Outputs:
        """The parts of build/."""
        return Outputs(self.build)

    def relative(self, path: Path) -> str:
        """Return `path` relative to the project root, as shown in messages."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
