"""The MkDocs engine (MkDocs 1.6 with mkdocs-material): imported only when a site is built."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from ..errors import EngineError, InputError, Problem
from ..site import NavItem
from . import extension_names, owned_settings

# The Web Worker shim that lets search run from file:// (site.py ships it from handbook/assets/).
# Named here, the offline plugin does not add its own copy from a CDN.
WORKER_SHIM = "assets/iframe-worker.js"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _with_offline(plugins: Any) -> Any:
    """Return the coordinator's plugins with mkdocs-material's offline plugin added."""
    if plugins is None:
        plugins = ["search"]  # MkDocs' default when mkdocs.yml names no plugins
    if isinstance(plugins, dict):
        return plugins if "offline" in plugins else {**plugins, "offline": {}}
    return list(plugins) if "offline" in extension_names(plugins) else list(plugins) + ["offline"]


def build_site(*, docs_dir: Path, site_dir: Path, settings: Path, site_name: str, language: str,
               nav: list[NavItem], extra_css: list[str]) -> None:
    """Build the site with MkDocs into `site_dir`, failing on any warning MkDocs logs."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    name = settings.name
    try:
        with open(settings, "rb") as handle:
            raw = yaml_load(handle) or {}
    except Exception as exc:  # mkdocs' loader raises plain YAML errors
        mark = getattr(exc, "problem_mark", None)
        raise InputError([Problem(name, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                                  f"cannot read site settings: {getattr(exc, 'problem', None) or exc}",
                                  hint="mkdocs.yml is YAML; check the indentation")]) from None
    if not isinstance(raw, dict):
        raise InputError([Problem(name, 1, 1, "expected a mapping of settings",
                                  hint="start from the default: `handbook init DIR` writes one")])
    extra = raw.get("extra") if isinstance(raw.get("extra"), dict) else {}
    overrides: dict[str, Any] = {
        **owned_settings(raw, site_name=site_name, language=language, nav=nav, extra_css=extra_css),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        # Pages open from disk as well as from a server, search included: the offline plugin
        # writes the search index as a script, and the worker shim runs search from file://.
        "plugins": _with_offline(raw.get("plugins")),
        "extra": {**extra, "polyfills": [*(extra.get("polyfills") or []), WORKER_SHIM]},
        "strict": False,
    }
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(collect)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        config = load_config(config_file=str(settings), **overrides)
        build(config)
    except ConfigurationError as exc:
        raise InputError([Problem(name, 0, 0, f"invalid site settings: {exc}",
                                  hint="compare with the mkdocs.yml that `handbook init` writes")]) from None
    except Abort as exc:
        raise InputError([Problem(name, 0, 0, f"the site engine stopped: {exc}")]) from None
    finally:
        logger.removeHandler(collect)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
    problems = [m for m in collect.messages if "MkDocs 2.0" not in m]
    if problems:
        raise EngineError("the site engine reported problems:\n" + "\n".join(f"  - {m}" for m in problems),
                          hint="a link in a content page may point to a page that does not exist")
