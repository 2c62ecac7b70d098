"""The Zensical engine (optional extra `handbook[zensical]`): reads the same mkdocs.yml settings.

Zensical is mkdocs-material's successor and runs as its own command; this adapter writes a
derived configuration next to the docs tree (Zensical wants relative paths) and runs it.

A site in several languages is one Zensical build per language, each into its own folder, with a
language switch (`extra.alternate`) and hreflang links. Their limit: Zensical runs no plugins and
its switch has one list of links for the whole site, so it leads to each language's HOME page, not
to the same page as the MkDocs engine's does (the coordinator's own `extra.alternate` is replaced).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

import yaml

from handbook.errors import EngineError
from handbook.load.sitesettings import PythonName, Relative, read_settings
from handbook.output.engines import SiteLanguage, language_switch, owned_settings
from handbook.render.site import NavItem


class _Dumper(yaml.SafeDumper):
    """Writes the settings back with MkDocs' `!relative` and the allowed `!!python/name:` tags, as read."""


_Dumper.add_representer(Relative, lambda dumper, value: dumper.represent_scalar("!relative", str(value)))
_Dumper.add_representer(PythonName, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:python/name:" + str(value), ""))


def build_site(*, docs_dir: Path, site_dir: Path, settings: Path, site_name: str, language: str,
               nav: list[NavItem], extra_css: list[str], languages: Sequence[SiteLanguage] = ()) -> None:
    """Build the site with Zensical into `site_dir`; with `languages`, the build of `language` in a site of several."""
    raw = read_settings(settings).data  # the same safe reading and checks as for MkDocs
    plugins = raw.get("plugins")
    if isinstance(plugins, list):  # Zensical has search built in and runs no MkDocs plugins
        plugins = [p for p in plugins if p == "search" or (isinstance(p, dict) and "search" in p)]
    config: dict[str, Any] = {**raw, **owned_settings(raw, site_name=site_name, language=language, nav=nav,
                                                      extra_css=extra_css)}
    if plugins is not None:
        config["plugins"] = plugins
    current = next((entry for entry in languages if entry.tag == language), None) if len(languages) > 1 else None
    if current is not None:  # every page's switch leads to each language's home page (from the build's root)
        extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
        config["extra"] = {**extra, "alternate": language_switch(languages, current, "index.html")}
    # Zensical runs no MkDocs plugins but loads Markdown extensions by module name: this one
    # sanitises each page's HTML and its table of contents (see handbook.render.sanitize).
    config["markdown_extensions"] = [*config["markdown_extensions"], "handbook.render.sanitize"]
    work = docs_dir.parent
    local_site = work / "zensical-site"
    config.update(docs_dir=os.path.relpath(docs_dir, work), site_dir=local_site.name)
    config_file = work / "zensical.yml"
    config_file.write_text(yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    command = [sys.executable, "-c", "from zensical.main import cli; cli()", "build", "-f", config_file.name]
    try:
        import zensical  # noqa: F401 - only to say clearly that the extra is missing
    except ImportError:
        raise EngineError("the Zensical engine is not installed",
                          hint="pip install 'handbook[zensical]', or build with the default engine") from None
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (local_site / "index.html").is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise EngineError("Zensical failed:\n" + "\n".join(f"  {line}" for line in tail))
    if site_dir.exists():
        shutil.rmtree(site_dir)
    shutil.move(str(local_site), site_dir)
