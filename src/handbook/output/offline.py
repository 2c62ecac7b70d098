"""The offline copy: the built site as one zip that participants open from disk, search included.

A site in several languages is one folder too: each language's folder (de/) is in the zip with its own
search index and assets, and the language switch's links are relative, so they work from disk.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

# Unzipped, the copy is one folder; participants open handbook-site/index.html.
FOLDER = "handbook-site"
_EARLIEST = 315532800  # 1980-01-01, the first moment a zip file can record


def _timestamp() -> tuple[int, int, int, int, int, int]:
    """Return the entries' date: SOURCE_DATE_EPOCH when set, so that the same inputs give the same bytes."""
    seconds = int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    return time.gmtime(max(seconds, _EARLIEST))[:6]


def package_site(site_dir: Path, target: Path) -> Path:
    """Write `site_dir` into the zip `target` under one folder, in sorted order with fixed dates."""
    stamp = _timestamp()
    # Source maps serve only a developer's debugger; left out, the copy is a third smaller.
    files = sorted((p for p in site_dir.rglob("*") if p.is_file() and p.suffix != ".map"),
                   key=lambda p: p.relative_to(site_dir).as_posix())
    with zipfile.ZipFile(target, "w") as archive:
        for path in files:
            entry = zipfile.ZipInfo(f"{FOLDER}/{path.relative_to(site_dir).as_posix()}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3  # Unix, so the permissions above are read on every system
            archive.writestr(entry, path.read_bytes(), compresslevel=9)
    return target
