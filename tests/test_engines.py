"""Both site engines build the example: MkDocs (the default) and Zensical (an optional extra)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_example, run_cli, site_only
from test_example_site import page_text


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_engine_builds_every_page_of_the_example(engine: str, built_example: Path, tmp_path: Path) -> None:
    if engine == "mkdocs":  # the default: the shared build of the example is made with it
        site = built_example / "build" / "site"
    else:
        site = site_only(copy_example(tmp_path / "project"), engine)
    for page in ("index.html", "guidelines.html", "confidentiality.html", "training/active-listening.html",
                 "challenges/power-dynamics.html", "playbooks/allocate-time.html", "about.html", "reference.html"):
        assert (site / page).is_file(), f"{engine} did not write {page}"
    assert "Risk of harm" in page_text(site, "confidentiality.html")
    assert "Allocate time" in page_text(site, "challenges/time-constraints.html")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in index and "fonts.gstatic.com" not in index


def test_handbook_build_with_the_zensical_engine_writes_the_whole_build(small_project: Path) -> None:
    """`handbook build --engine zensical`: the command a coordinator types, site and PDFs alike."""
    result = run_cli("build", "--engine", "zensical", "--project", small_project)
    assert result.exit_code == 0, result.stdout + result.stderr
    build = small_project / "build"
    assert "Guidelines" in page_text(build / "site", "guidelines.html")
    assert (build / "pdf" / "handbook.pdf").is_file() and (build / "pdf" / "agreements" / "blank.pdf").is_file()
    assert (build / "handbook-site.zip").is_file()
