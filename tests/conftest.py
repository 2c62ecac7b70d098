"""Shared helpers and fixtures: project trees from dicts, running the CLI, hashing a folder; the example
built once per session (`built_example`) and sites built without PDFs (`site_only`); which tests
`scripts/test --fast` leaves out (the `slow` marker).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner, Result

from handbook.commands.cli import main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks/ holds the synthetic roster generator
SMALL = ROOT / "tests" / "golden" / "small" / "project"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def build_file_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` ({relative path: text or bytes}) under `root` and return `root`."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def run_cli(*args: str | Path) -> Result:
    """Run `handbook ARGS` in-process and return the result (exit code, stdout, stderr)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def tree_digest(root: Path) -> dict[str, str]:
    """Return {relative path: sha256} for every file under `root`."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


EXAMPLE_FILES = ("program.yaml", "program.de.yaml", "mkdocs.yml", "content", "templates", "cohort.yaml", "roster.csv",
                 "versions")


PREVIOUS = "versions/program-2025.2.yaml"  # the version before the example's, which its program.yaml names


def example_program(text: str | None = None) -> dict[str, str]:
    """Return the files of a project with the example's program.yaml (or `text`) and the version before it names."""
    return {"program.yaml": (ROOT / "program.yaml").read_text(encoding="utf-8") if text is None else text,
            PREVIOUS: (ROOT / PREVIOUS).read_text(encoding="utf-8")}


def copy_example(target: Path) -> Path:
    """Copy the example project (the repository's own program) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    return target


def one_language(project: Path, language: str = "en") -> Path:
    """Turn a copy of the example (published in English and German) into a program in `language` alone."""
    program = project / "program.yaml"
    text = program.read_text(encoding="utf-8")
    assert text.count("\n  languages: [en, de]\n") == 1
    program.write_text(text.replace("\n  languages: [en, de]\n", f"\n  language: {language}\n"), encoding="utf-8")
    (project / "program.de.yaml").unlink(missing_ok=True)
    shutil.rmtree(project / "content" / "de", ignore_errors=True)
    cohort = project / "cohort.yaml"
    if cohort.is_file():
        cohort.write_text(re.sub(r"^    language: .*\n", "", cohort.read_text(encoding="utf-8"), flags=re.M),
                          encoding="utf-8")
    return project


def pdf_language(loaded, relative: str) -> str:  # type: ignore[no-untyped-def]
    """Return the language a PDF of a build is in, by its path under build/pdf: a further language's folder
    (`de/handbook.pdf`), a group's agreement its group's language, everything else the source language."""
    source = loaded.languages[0]
    first = relative.split("/")[0]
    if first in loaded.languages[1:]:
        return first
    if relative.startswith("agreements/") and loaded.cohort is not None:
        for group in loaded.cohort.groups:
            if relative == f"agreements/{group.id}.pdf":
                return loaded.cohort.language(group, source)
    return source


def small_with_cohort(target: Path, cohort: str) -> Path:
    """Copy the small golden project to `target` with `cohort` as its cohort file, and return `target`."""
    shutil.copytree(SMALL, target, ignore=shutil.ignore_patterns("build", ".handbook"))
    program = target / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8") + "\ncohort: cohort.yaml\n", encoding="utf-8")
    build_file_tree(target, {"cohort.yaml": cohort})
    return target


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A copy of the small golden project, free to change."""
    target = tmp_path / "project"
    shutil.copytree(SMALL, target, ignore=shutil.ignore_patterns("build", ".handbook"))
    return target


@pytest.fixture(scope="session")
def _small_pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .handbook/ folder (PDF cache) of a build of the small golden project, made once per session."""
    project = tmp_path_factory.mktemp("small-built") / "project"
    shutil.copytree(SMALL, project, ignore=shutil.ignore_patterns("build", ".handbook"))
    result = run_cli("build", "--quiet", "--project", project)
    assert result.exit_code == 0, result.stdout + result.stderr
    return project / ".handbook"


@pytest.fixture
def small_project_warm(tmp_path: Path, _small_pdf_cache: Path) -> Path:
    """A copy of the small golden project, free to change, with the PDF cache a build of it left behind.

    For tests of how builds behave (incremental, locks, staging folders): a build prints again
    only the PDFs its changes touch, two seconds instead of five. It has never been built
    itself: no build/, no record of a last build.
    """
    target = tmp_path / "project"
    shutil.copytree(SMALL, target, ignore=shutil.ignore_patterns("build", ".handbook"))
    shutil.copytree(_small_pdf_cache, target / ".handbook", symlinks=True,
                    ignore=shutil.ignore_patterns("last-build.json", "build.lock", "staging"))
    return target


EPOCH = "1788220800"  # 2026-09-01T00:00:00Z: SOURCE_DATE_EPOCH of the shared build, so that its bytes repeat


@contextmanager
def source_date(epoch: str = EPOCH) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH while the block runs (in-process builds read it), then put it back."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def copy_project(source: Path, target: Path) -> Path:
    """Copy a whole project, build/ and .handbook/ included, times kept, to `target`; return `target`.

    The copy is as built: built again with nothing changed (and the same SOURCE_DATE_EPOCH) it does
    nothing; after a change it prints again only the PDFs the change touches.
    """
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project (with its cohort) built once per session by `handbook build`, SOURCE_DATE_EPOCH=EPOCH.

    Read only: tests read build/site, build/pdf, build/calendar and build/handbook-site.zip; each
    test that uses it fails if it changed anything in the project (see `_shared_build_stays_as_built`).
    A test that changes the project works on a copy: `copy_project(built_example, tmp_path / "project")`.
    """
    project = copy_example(tmp_path_factory.mktemp("built-example") / "project")
    with source_date():
        result = run_cli("build", "--project", project)
    assert result.exit_code == 0, result.stdout + result.stderr
    return project


def _stamp(root: Path) -> dict[str, tuple[int, int, int]]:
    """Return (mode, size, mtime) of every file and folder under `root`, by relative path."""
    found = {}
    for path in root.rglob("*"):
        info = path.lstat()
        found[path.relative_to(root).as_posix()] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture(autouse=True)
def _shared_build_stays_as_built(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that changed the shared build of the example (the tests after it would read the change)."""
    if "built_example" not in request.fixturenames:
        yield
        return
    project = request.getfixturevalue("built_example")
    before = _stamp(project)
    yield
    after = _stamp(project)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert not changed, (f"the test changed the shared build of the example ({', '.join(changed[:5])}); "
                         f"change a copy instead: copy_project(built_example, tmp_path / 'project')")


def site_only(project: Path, engine: str = "mkdocs") -> Path:
    """Build the site of `project` alone into project/build/site and return that folder.

    The same stage (load, validate, render the pages) and site engine as `handbook build`, as
    `handbook serve` previews it: no PDFs, no calendars, no offline copy, a few seconds faster.
    """
    from handbook.commands.stage import load, render_pages
    from handbook.output.site import build_site

    loaded = load(project)
    site = project / "build" / "site"
    build_site(loaded, render_pages(loaded), site, engine)
    return site


# The fast set: `scripts/test --fast` runs the tests not marked `slow`, for the edit-and-test loop
# (under two minutes on two cores); CI (`scripts/test`) runs every test. It is decided per test:
# the fast set keeps at least one test of every area (site, book, agreement, forms, calendars,
# check, serve, match, errors) and leaves out what costs seconds for little the rest does not check.

# Whole modules whose tests drive Chromium, kill or time processes, run the CLI once per case
# in a subprocess, or draw thousands of property examples,
SLOW_MODULES = frozenset({
    "test_a11y.py", "test_bad_inputs.py", "test_browser.py", "test_browser_offline.py", "test_build_safety.py",
    "test_fresh_machine.py", "test_hostile_text.py", "test_html_valid.py", "test_processes.py",
    "test_properties.py", "test_browser_languages.py",
})
# except these tests of theirs, which take well under a second and open no browser.
FAST_IN_SLOW_MODULES = frozenset({
    "test_bad_inputs.py::test_three_mistakes_are_all_reported_in_line_order",
    "test_bad_inputs.py::test_byte_order_mark_is_accepted",
    "test_bad_inputs.py::test_bad_input_corpus_covers_every_kind_of_input",
    "test_browser_offline.py::test_the_zip_holds_the_whole_site_in_one_folder",
    "test_browser_offline.py::test_no_page_of_the_copy_names_another_host_to_load_from",
    "test_browser_offline.py::test_the_zip_is_the_same_bytes_for_the_same_site",
    "test_fresh_machine.py::test_the_machine_messages_are_worded_as_weasyprint_logs_them",
    "test_properties.py::test_the_unmutated_example_is_valid",
})
# Single tests of the other modules that cost seconds each, for what other fast tests check too
# or what an edit seldom breaks ("module::test" for every case of a test, "module::test[case]" for one).
SLOW_TESTS = frozenset({
    "test_collect.py::test_the_built_site_shows_only_aggregates_of_five_or_more",  # two builds of the example
    "test_collect.py::test_two_hundred_returned_forms_are_collected_as_the_benchmark_times_them",  # 200 files
    "test_incremental.py::test_a_new_template_override_rebuilds",  # two builds; test_changed_inputs... stays
    "test_init.py::test_new_program_builds_as_it_is",  # a build of its own; init's other tests stay
    "test_match_scale.py::test_matching_3000_people_takes_less_memory_than_one_dense_score_matrix",
    # the agreements of the shared build are stamped, and test_pdf reads them
    "test_pdf_render.py::test_a_stamped_agreement_reads_like_one_laid_out_in_full",
    "test_pdf_render.py::test_a_font_that_cannot_be_loaded_fails_the_build_named",  # as a stylesheet mistake does
    "test_pdf_render.py::test_same_inputs_give_the_same_bytes_whatever_the_batch",  # prints three times
    "test_pdf_render.py::test_only_changed_agreements_are_rendered_again",  # test_incremental reuses the cache
    "test_pdf_render.py::test_a_name_too_long_for_its_box_still_prints_whole",  # prints two agreements twice
    # a missing file fails where a remote one does, and that case stays
    "test_pdf_render.py::test_a_resource_that_cannot_be_loaded_fails_the_build_named"
    "[content/missing.png-content/missing.png]",
    "test_print_leaks.py::test_a_content_page_attaches_no_project_file_to_the_handbook",  # a build of its own
    "test_print_leaks.py::test_no_pdf_links_to_a_file_on_the_build_machine",  # the same build
    "test_serve.py::test_a_content_page_change_rebuilds",  # as a change of program.yaml does
    "test_as_written.py::test_pdfs_print_the_organization_and_program_name_as_written",  # reads every PDF's text
    "test_match_scale.py::test_300_people_in_triads_or_circles_of_4_within_10_seconds",  # test_matching covers k >= 3
    "test_engines.py::test_handbook_build_with_the_zensical_engine_writes_the_whole_build",  # a full build
    "test_site_settings.py::test_a_page_does_not_grow_with_the_number_of_pages",  # sites of 60 and 240 pages
    "test_site_settings.py::test_extensions_installed_in_a_virtual_environment_inside_the_project_are_accepted",
    # ten cases, two CLI runs each, whose messages test_bad_inputs checks; test_links keeps a check/build pair
    "test_site_settings.py::test_check_refuses_exactly_what_build_refuses",
    # a second whole build, in French; the German one stays in the fast set
    "test_whole_language.py::test_the_generator_writes_no_english[fr]",
    "test_whole_language.py::test_every_output_says_its_language[fr]",
    "test_project_messages.py::test_build_says_what_it_did_in_the_programs_language",  # a whole build of its own
    # one whole build in three languages (20 to 30 s); the check of a translation's mistakes stays
    "test_languages_build.py::test_every_language_has_its_site_with_its_own_text",
    "test_languages_build.py::test_each_downloads_page_offers_its_own_languages_pdfs",
    "test_languages_build.py::test_each_groups_agreement_and_calendar_are_in_its_language",
    "test_languages_build.py::test_a_text_left_untranslated_falls_back_and_the_build_counts_it",
    "test_languages_build.py::test_no_page_says_a_word_of_the_generator_in_another_language[de]",
    "test_languages_build.py::test_no_page_says_a_word_of_the_generator_in_another_language[fr]",
})


def _names(item: pytest.Item) -> set[str]:
    """Return "test_module.py::test_function" of a test, with its parameters ("...[case]") and without."""
    return {f"{item.path.name}::{item.name}", f"{item.path.name}::{getattr(item, 'originalname', item.name)}"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    modules = {}
    for item in items:
        names = _names(item)
        if names & SLOW_TESTS or (item.path.name in SLOW_MODULES and not names & FAST_IN_SLOW_MODULES):
            item.add_marker(pytest.mark.slow)
        if isinstance(item, pytest.Function):
            modules[item.path.name] = item.module
    # A renamed test must not fall out of these lists unnoticed.
    for listed in sorted(FAST_IN_SLOW_MODULES | SLOW_TESTS):
        module_name, _, function = listed.partition("::")
        function = function.partition("[")[0]
        module = modules.get(module_name)
        if module is not None and not hasattr(module, function):
            raise pytest.UsageError(f"tests/conftest.py names {listed}, but {module_name} has no such test")
