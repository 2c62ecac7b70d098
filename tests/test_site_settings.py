"""mkdocs.yml is read safely and checked like program.yaml; overrides run sandboxed; pages stay small."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, build_file_tree, run_cli, site_only
from test_bad_inputs import CORPUS, lay_out

from benchmarks.scale import build_site_only, make_project
from handbook.load.sitesettings import MKDOCS_KEYS

# Bad site settings and template overrides: `check` must refuse each exactly as `build` does.
REFUSED = ["mkdocs-analytics", "mkdocs-external-javascript", "mkdocs-python-tag", "mkdocs-theme-not-a-name",
           "mkdocs-unknown-extension", "mkdocs-unknown-key", "mkdocs-unknown-plugin", "mkdocs-unknown-theme",
           "template-reads-cohort", "template-sandbox-escape"]
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}


def handbook(project: Path, command: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m handbook COMMAND` in `project`, as a coordinator would."""
    return subprocess.run([sys.executable, "-m", "handbook", command, "--project", "."], cwd=project,
                          capture_output=True, text=True, env=ENV, timeout=120, check=False)


@pytest.mark.parametrize("name", REFUSED)
def test_check_refuses_exactly_what_build_refuses(name: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    lay_out(CORPUS / name, project)
    check, build = handbook(project, "check"), handbook(project, "build")
    assert (check.returncode, build.returncode) == (2, 2), check.stderr + build.stderr
    assert check.stderr == build.stderr
    assert not (project / "build").exists()


@pytest.mark.parametrize("name", ["mkdocs-python-tag", "template-sandbox-escape"])
def test_a_command_in_site_settings_or_a_template_never_runs(name: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    lay_out(CORPUS / name, project)
    assert "touch pwned" in "".join(p.read_text(encoding="utf-8") for p in project.rglob("*") if p.is_file())
    for command in ("check", "build"):
        assert handbook(project, command).returncode == 2
        assert not (project / "pwned").exists(), f"`handbook {command}` ran the command"


def test_a_template_cannot_read_the_cohort_into_the_site(tmp_path: Path) -> None:
    project = tmp_path / "project"
    lay_out(CORPUS / "template-reads-cohort", project)
    done = handbook(project, "build")
    assert done.returncode == 2
    assert "SecurityError" in done.stderr
    assert "ana@example.org" not in done.stdout + done.stderr
    assert not (project / "build").exists()


SETTINGS = """\
theme:
  name: material
site_url: !ENV [HANDBOOK_TEST_SITE_URL, "https://fallback.example/"]
markdown_extensions:
  - pymdownx.snippets:
      base_path: !relative $docs_dir
  - toc:
      slugify: !!python/name:markdown.extensions.toc.slugify_unicode
extra_javascript:
  - https://widgets.example.org/widget.js
handbook:
  allow_external: true
"""


def test_mkdocs_tags_and_the_opt_in_for_other_hosts_are_accepted(small_project: Path, monkeypatch) -> None:
    build_file_tree(small_project, {"mkdocs.yml": SETTINGS, "content/shared.txt": "Text shared by two pages.\n",
                                    "content/notes.md": '# Über uns\n\n--8<-- "shared.txt"\n'})
    monkeypatch.setenv("HANDBOOK_TEST_SITE_URL", "https://handbook.example/")
    assert run_cli("check", "--project", small_project).exit_code == 0
    page = (site_only(small_project) / "notes.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://handbook.example/notes.html">' in page  # !ENV
    assert "Text shared by two pages." in page  # !relative $docs_dir
    assert 'id="über-uns"' in page  # !!python/name: of an allowed function
    assert '<script src="https://widgets.example.org/widget.js">' in page  # allowed by the opt-in


def test_the_opt_in_is_refused_when_misspelt(small_project: Path) -> None:
    build_file_tree(small_project, {"mkdocs.yml": SETTINGS.replace("allow_external", "allow_externals")})
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    assert re.search(r"^mkdocs.yml:12:3: handbook.allow_externals: unknown key 'allow_externals' "
                     r"\(did you mean 'allow_external'\?\)$", result.stderr, re.M), result.stderr
    assert "extra_javascript[0]: expected a path to a file in the site" in result.stderr


@pytest.mark.parametrize("setting, expected", [
    ("repo_url: https://github.com/example/handbook", "the theme fetches the repository's stars"),
    ("theme: {name: material, logo: 'https://cdn.example.org/logo.png'}", "theme.logo: expected a path"),
    ("extra_css: [//cdn.example.org/site.css]", "extra_css[0]: expected a path to a file in the site"),
    ("plugins: [search, social]", "plugins[1]: the plugin 'social' downloads fonts from other hosts"),
    ("copyright: <img src=https://t.example.org/pixel.gif>", "copyright: expected text, links and emphasis"),
    ("markdown_extensions: [pymdownx.snippets]", "could include any file of the project, the cohort too"),
    ("hooks: [hooks.py]", "hooks: `hooks` is not allowed: it runs Python files"),
    ("theme: {name: material, custom_dir: overrides}", "theme.custom_dir: `custom_dir` is not allowed"),
])
def test_settings_that_reach_other_hosts_or_run_code_are_refused_with_a_location(
        small_project: Path, setting: str, expected: str) -> None:
    build_file_tree(small_project, {"mkdocs.yml": setting + "\n"})
    result = run_cli("check", "--project", small_project)
    assert result.exit_code == 2
    assert result.stderr.startswith("mkdocs.yml:1:"), result.stderr
    assert expected in result.stderr


def test_the_known_settings_are_mkdocs_own() -> None:
    from mkdocs.config.defaults import MkDocsConfig

    # INHERIT is read by MkDocs' loader, not its schema; handbook refuses it with a location.
    assert set(MKDOCS_KEYS) - {"INHERIT"} == {name for name, _ in MkDocsConfig._schema} - {"config_file_path"}


def test_a_page_does_not_grow_with_the_number_of_pages(tmp_path: Path) -> None:
    sizes = []
    for count in (60, 240):
        project = make_project(tmp_path / f"p{count}", count)
        site = tmp_path / f"site{count}"
        build_site_only(project, site)
        sizes.append((site / "challenges" / "challenge-1.html").stat().st_size)
    assert sizes[1] <= 1.2 * sizes[0], sizes


def test_extensions_installed_in_a_virtual_environment_inside_the_project_are_accepted(small_project: Path) -> None:
    """The README's first command makes `.venv` in the project folder: its packages are installed, not project code."""
    shutil.copy(ROOT / "mkdocs.yml", small_project / "mkdocs.yml")  # it names pymdownx.details and superfences
    venv = small_project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
                    "--ignore-installed", "pymdown-extensions"], check=True, capture_output=True)
    origin = subprocess.run([python, "-c", "import pymdownx; print(pymdownx.__file__)"], check=True,
                            capture_output=True, text=True).stdout.strip()
    assert Path(origin).is_relative_to(venv), origin  # the extension really comes from inside the project
    done = subprocess.run([python, "-m", "handbook", "check", "--project", str(small_project)],
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert done.returncode == 0, done.stderr
