"""Valid HTML: the Nu Html Checker (vnu.jar from npm, run with Java) finds no error in the built example.

Three errors come from mkdocs-material's own templates, not from anything handbook generates, and
are left out below, each matched by its message and by the markup the theme writes, so that the
same message about any other element still fails the test. Fixing them would mean copying whole
theme partials into an override that drifts from the theme on every upgrade.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest

pytest.register_assert_rewrite("browser")  # before the import: it is a plugin of these tests
from browser import SETUP_HINT, VNU, Example  # noqa: E402

pytest_plugins = ["browser"]  # the browser, the served example and their fixtures


@dataclass(frozen=True)
class ThemeError:
    """An error the theme's templates cause: its message and the markup it is reported on."""

    why: str
    message: str
    markup: str

    def matches(self, found: dict[str, Any]) -> bool:
        return bool(re.search(self.message, found.get("message", ""))
                    and re.search(self.markup, found.get("extract", ""), re.S))


THEME_ERRORS = (
    ThemeError("partials/nav-item.html writes tabindex=\"\" on the label of a navigation section "
               "(features: navigation.sections) instead of leaving the attribute out",
               r"^Bad value “” for attribute “tabindex” on element “label”",
               r'<label class="md-nav__link[^"]*" for="__nav_\d+" id="__nav_\d+_label" tabindex="">'),
    ThemeError("base.html gives its two hidden checkbox toggles (drawer, search) autocomplete=\"off\", "
               "which keeps Firefox from restoring them and is not allowed on checkboxes",
               r"^Attribute “autocomplete” is only allowed when the input type is",
               r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox" id="__(drawer|search)" '
               r'autocomplet'),
    ThemeError("partials/toc.html labels the table of contents for the toggle #__toc, which "
               "partials/nav-item.html writes only for pages that are not a section's index page "
               "(features: navigation.indexes)",
               r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control",
               r'<label class="md-nav__title" for="__toc">'),
)


def nu_check(files: list[str]) -> list[dict[str, Any]]:
    """Run the Nu Html Checker on `files` (HTML, and CSS by extension); return its messages."""
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        pytest.fail(f"the Nu Html Checker needs java and {VNU}; {SETUP_HINT}")
    run = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--stdout", "--also-check-css", *files],
                         capture_output=True, text=True, timeout=300)
    assert run.stdout.strip(), run.stderr
    return json.loads(run.stdout)["messages"]


@pytest.fixture(scope="module")
def messages(example: Example) -> list[dict[str, Any]]:
    """The checker's messages on every page of the built example and on handbook.css."""
    files = [str(example.site / page) for page in example.pages()] + [str(example.site / "assets" / "handbook.css")]
    return nu_check(files)


def _page(found: dict[str, Any], example: Example) -> str:
    """Return the site path a message is about ("training/index.html"); vnu writes file:/... URLs."""
    return found.get("url", "").partition(example.site.as_posix() + "/")[2]


def _where(found: dict[str, Any], example: Example) -> str:
    return (f"{_page(found, example)}:{found.get('lastLine', '?')}: {found['message']}\n"
            f"    {' '.join(found.get('extract', '').split())}")


def test_the_checker_reports_no_error(example: Example, messages: list[dict[str, Any]]) -> None:
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")
              and not any(known.matches(m) for known in THEME_ERRORS)]
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(_where(m, example) for m in errors)


def test_the_checker_ran_on_every_page(example: Example, messages: list[dict[str, Any]]) -> None:
    """A guard on the harness: the checker read real pages (it reports the theme's errors on each)."""
    pages = {_page(m, example) for m in messages if THEME_ERRORS[1].matches(m)}
    assert sorted(pages) == example.pages()


def test_the_known_theme_errors_are_matched_precisely() -> None:
    """The same message on markup the theme did not write is not left out."""
    ours = {"message": "Bad value “” for attribute “tabindex” on element “label”: The empty string is not a valid integer.",
            "extract": '<label class="hb-choice" for="x" tabindex="">'}
    theirs = dict(ours, extract='   <label class="md-nav__link " for="__nav_8" id="__nav_8_label" tabindex="">\n')
    assert not any(known.matches(ours) for known in THEME_ERRORS)
    assert THEME_ERRORS[0].matches(theirs)
