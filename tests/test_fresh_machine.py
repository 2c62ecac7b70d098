"""A fresh Debian machine: without libharfbuzz-subset0 the build still succeeds, with one note.

The library is hidden from WeasyPrint in a private mount namespace (`unshare`): /dev/null is
bound over its file, so WeasyPrint's own dlopen fails exactly as on a machine without it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HIDDEN = 97  # exit code of the check that the library really is hidden

_FIND = """
import weasyprint.text.ffi as ffi
if ffi.harfbuzz_subset is not None:
    print(next(line.split()[-1] for line in open("/proc/self/maps") if "libharfbuzz-subset" in line))
"""


def _subset_library() -> str:
    """Return the file of libharfbuzz-subset WeasyPrint loads here, or '' when it loads none."""
    done = subprocess.run([sys.executable, "-c", _FIND], capture_output=True, text=True, check=True)
    return os.path.realpath(done.stdout.strip()) if done.stdout.strip() else ""


def _namespace() -> list[str]:
    """Return an unshare command that gives a private mount namespace, or skip where none is permitted."""
    if shutil.which("unshare") is None:
        pytest.skip("cannot hide a library: no `unshare` command (util-linux) on this machine")
    for command in (["unshare", "--mount", "--propagation", "private"],
                    ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"]):
        if subprocess.run([*command, "true"], capture_output=True, check=False).returncode == 0:
            return command
    pytest.skip("cannot hide a library: this machine permits no private mount namespace (unshare)")


def without_subset(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m handbook ARGS` as on a machine without libharfbuzz-subset0."""
    handbook = shlex.join([sys.executable, "-m", "handbook", *map(str, args)])
    check = shlex.join([sys.executable, "-c", "import sys, weasyprint.text.ffi as f; "
                                              f"sys.exit({HIDDEN} if f.harfbuzz_subset else 0)"])
    library = _subset_library()
    if library:
        script = f"mount --bind /dev/null {shlex.quote(library)} && {check} && exec {handbook}"
        command = [*_namespace(), "sh", "-c", script]
    else:  # this machine lacks it already
        command = ["sh", "-c", f"{check} && exec {handbook}"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=300)
    assert done.returncode != HIDDEN, "libharfbuzz-subset0 was not hidden from WeasyPrint"
    return done


@pytest.fixture
def project(small_project: Path) -> Path:
    return small_project


def test_a_machine_without_harfbuzz_subset_builds_and_says_so_once(project: Path) -> None:
    done = without_subset("build", "--project", project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "build" / "pdf" / "handbook.pdf").stat().st_size > 10_000
    assert (project / "build" / "pdf" / "agreements" / "blank.pdf").is_file()
    assert len(list((project / "build" / "pdf" / "forms").glob("*.pdf"))) >= 5
    notes = [line for line in done.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, done.stderr
    assert "libharfbuzz-subset0" in notes[0] and "still correct" in notes[0]
    assert "problem" not in (done.stdout + done.stderr).lower()


def test_a_stylesheet_mistake_still_fails_located_without_harfbuzz_subset(project: Path) -> None:
    css = "h1 { colr: red; }\n"
    override = project / "templates" / "print" / "handbook.css"
    override.parent.mkdir(parents=True)
    builtin = Path(__import__("handbook").__file__).parent / "templates" / "print" / "handbook.css"
    text = builtin.read_text(encoding="utf-8") + css
    override.write_text(text, encoding="utf-8")
    line = text.count("\n") - css.count("\n") + 1
    done = without_subset("build", "--project", project)
    assert done.returncode == 2, done.stdout + done.stderr
    assert re.search(rf"^templates/print/handbook\.css:{line}:\d+: .*colr", done.stderr, re.M), done.stderr
    assert "1 problem while printing the PDFs" in done.stderr
    assert "fontTools" not in done.stderr
    assert not (project / "build").exists()


def test_the_machine_messages_are_worded_as_weasyprint_logs_them() -> None:
    # A WeasyPrint that rewords them would turn each note back into a failed build.
    import weasyprint

    from handbook.output.pdf import MACHINE_NOTES

    source = (Path(weasyprint.__file__).parent / "pdf" / "fonts.py").read_text(encoding="utf-8")
    logged = " ".join(re.findall(r"LOGGER\.warning\(\s*((?:'[^']*'\s*)+)", source))
    logged = re.sub(r"'\s*'", "", logged)  # adjacent string literals are one message
    for pattern, note in MACHINE_NOTES:
        assert pattern.search(logged), f"WeasyPrint no longer logs {pattern.pattern!r}"
        assert note.startswith("note: ")
