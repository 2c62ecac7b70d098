"""The page registry drives the site's navigation, the book's contents and the names content pages may not take.

Rendered in memory from the small golden project (with a content page at each end); no site
engine, no PDF.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import build_file_tree

from handbook.commands.stage import load
from handbook.errors import InputError
from handbook.layout import Layout
from handbook.load.project import load_content
from handbook.plan.pages import (
    SITE_ASSETS,
    Page,
    handbook_pages,
    reserved_names,
    site_paths,
)
from handbook.render.book import book_chapters, handbook_batch
from handbook.render.edition import edition
from handbook.render.site import render_site

WELCOME = "---\ntitle: Welcome\nplacement: start\n---\n\n# Welcome\n\nHello. Read the [guidelines](guidelines.md).\n"


@pytest.fixture
def project(small_project: Path) -> Path:
    return build_file_tree(small_project, {"content/welcome.md": WELCOME})


def _nav_targets(nav: list) -> list[str]:
    targets = []
    for item in nav:
        for target in item.values():
            targets += _nav_targets(target) if isinstance(target, list) else [target]
    return targets


def test_every_page_is_in_the_navigation_in_the_registry_order(project: Path) -> None:
    loaded = load(project)
    pages = handbook_pages(loaded.program, loaded.pages)
    tree = render_site(loaded)
    assert _nav_targets(tree.nav) == [page.path for page in pages]
    assert sorted(tree.pages) == sorted(page.path for page in pages)
    assert [page.path for page in pages][:2] == ["index.md", "welcome.md"]  # a start page follows the home page
    assert [page.path for page in pages][-2:] == ["faq.md", "reference.md"]
    sections = {title: [next(iter(e.values())) for e in entries] for item in tree.nav
                for title, entries in item.items() if isinstance(entries, list)}
    assert sections == {"Training": ["training/index.md", "training/listening.md"],
                        "Challenges": ["challenges/index.md", "challenges/busy.md"],
                        "Playbooks": ["playbooks/index.md", "playbooks/allocate-time.md"]}


def test_every_page_of_the_book_is_in_its_contents(project: Path) -> None:
    loaded = load(project)
    facts = edition(loaded)
    html = handbook_batch(loaded, facts, None).outputs[0].html
    contents = html[html.index('<nav class="toc">'):html.index("</nav>")]
    listed = re.findall(r'href="#([^"]+)"', contents)
    in_book = [page for page in facts.pages if page.book]
    assert [page.path for page in facts.pages if not page.book] == ["reference.md"]  # for coordinators only
    for page in in_book:
        assert page.id in listed, page.path
        assert f'id="{page.id}"' in html, page.path
    # Chapters in the registry's order; a section is one chapter, opened by its first page.
    chapters = [page.id for page in in_book if not page.section or page.path.endswith("/index.md")]
    assert [c.id for c in book_chapters(facts)] == chapters
    assert [a for a in listed if "--" not in a] == [p.id for p in in_book]


def test_every_page_name_is_reserved(project: Path) -> None:
    loaded = load(project)
    names = reserved_names()
    for page in handbook_pages(loaded.program):
        top, _, rest = page.path.partition("/")
        assert (f"{top}.md" if rest else top) in names, page.path
    assert {"assets.md", "downloads.md", "training.md"} <= names
    build_file_tree(project, {"content/training.md": "# Training\n\nMine.\n"})
    with pytest.raises(InputError) as caught:
        load_content(Layout(project.resolve()), names)
    assert "content/training.md" in caught.value.format() and "used by a generated page" in caught.value.format()


def test_page_ids_are_unique_and_a_link_target_lists_every_file(project: Path) -> None:
    loaded = load(project)
    pages = handbook_pages(loaded.program, loaded.pages)
    ids = [page.id for page in pages]
    assert len(set(ids)) == len(ids) and not any("--" in i for i in ids)
    assert [page.order for page in pages] == list(range(len(pages)))
    paths = site_paths(loaded.program, loaded.pages, loaded.assets)
    assert paths[:len(pages)] == [page.path for page in pages]
    assert paths[-len(SITE_ASSETS):] == list(SITE_ASSETS)
    package_assets = Path(__import__("handbook").__file__).parent / "assets"
    assert sorted(f"assets/{p.name}" for p in package_assets.iterdir() if p.is_file()) == sorted(SITE_ASSETS)


def _page(chapters, page_id: str) -> str:  # type: ignore[no-untyped-def]
    for chapter in chapters:
        if chapter.id == page_id:
            return str(chapter.body)
        for part in chapter.parts:
            if part.id == page_id:
                return str(part.body)
    raise AssertionError(page_id)


def test_the_book_prints_the_site_pages_with_links_inside_the_book(project: Path) -> None:
    loaded = load(project)
    chapters = book_chapters(edition(loaded))
    benefits = _page(chapters, "benefits")
    # The site's heading ids, prefixed with their page; links to a heading of another page lead there.
    assert 'id="benefits--' in benefits
    assert re.search(r'href="#goals--[a-z-]+"', benefits)
    # From a folder: ../playbooks/x.md and ../roles.md#id resolve against the page's folder.
    challenge = _page(chapters, "challenge-busy")
    assert 'href="#playbook-allocate-time"' in challenge
    playbook = _page(chapters, "playbook-allocate-time")
    assert re.search(r'href="#roles--[a-z-]+"', playbook) and 'href="#challenge-busy"' in playbook
    # A page's own title gives way to the book's heading; the rest of its headings keep their level.
    assert "<h1" not in benefits and "<h2" in benefits
    assert "<h2" not in _page(chapters, "playbook-allocate-time")  # a part: its headings start at h3
    assert 'href="#guidelines"' in _page(chapters, "page-welcome")
    # Every in-book link leads to an id the book holds.
    html = handbook_batch(loaded, edition(loaded), None).outputs[0].html
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert {target for target in re.findall(r'href="#([^"]*)"', html)} <= ids


def test_theme_only_syntax_is_readable_on_paper(project: Path) -> None:
    build_file_tree(project, {"content/tips.md": (
        "# Tips\n\n"
        "!!! warning \"Mind the time\"\n\n    Sessions end on the hour.\n\n"
        "=== \"On site\"\n\n    Book a quiet room.\n\n=== \"Remote\"\n\n    Turn the camera on.\n\n"
        "[Call us :material-phone:](tel:+4912345){ .md-button }\n")})
    loaded = load(project)
    tips = _page(book_chapters(edition(loaded)), "page-tips")
    assert re.search(r'class="admonition warning".*Mind the time.*Sessions end on the hour', tips, re.S)
    assert re.search(r'<p class="tabbed-title">On site</p>.*Book a quiet room.*'
                     r'<p class="tabbed-title">Remote</p>.*Turn the camera on', tips, re.S)
    assert "material-phone" not in tips and "<input" not in tips and "<label" not in tips
    assert re.search(r'<a [^>]*href="tel:\+4912345"[^>]*>Call us\s*</a>', tips)


def test_a_site_template_override_changes_the_book_too(project: Path) -> None:
    builtin = Path(__import__("handbook").__file__).parent / "templates" / "site" / "guidelines.md.j2"
    text = builtin.read_text(encoding="utf-8").replace('# {{ _("Guidelines") }}\n',
                                                        '# {{ _("Guidelines") }}\n\nWritten once, read twice.\n')
    build_file_tree(project, {"templates/site/guidelines.md.j2": text})
    loaded = load(project)
    facts = edition(loaded)
    assert "Written once, read twice." in render_site(loaded, facts).pages["guidelines.md"]
    assert "Written once, read twice." in _page(book_chapters(facts), "guidelines")


def test_a_page_knows_its_folder_and_what_its_template_sees() -> None:
    page = Page("module-x", "training/x.md", "X", "module.md.j2", "Training", shows=(("module", "the module"),))
    assert page.folder == "training" and page.context == {"module": "the module"}
    assert Page("overview", "index.md", "Overview", "index.md.j2").folder == ""
