"""The PDF cache: files of earlier builds under `.handbook/cache/pdf`, by the hash of their inputs.

A key hashes everything a file's bytes depend on: its HTML and stylesheets, its metadata, the
versions of handbook and WeasyPrint, and `RENDERER`. Entries a build does not use are removed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

from handbook import __version__
from handbook.output.pdf import weasy
from handbook.output.pdf.renderer import PDF_VARIANT
from handbook.output.workspace import private_dir, write_private
from handbook.render.printing import Batch, Fill, Output, StampSet

RENDERER = "3"  # bump when the way files are made changes: invalidates the cache


def _digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in (RENDERER, __version__, weasy.version(), PDF_VARIANT, *parts):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def output_key(batch: Batch, output: Output) -> str:
    """Return the cache key of one output: a hash of everything its bytes depend on."""
    return _digest(batch.head, batch.tail, repr(batch.forms), repr(output.meta), output.path,
                   *(s.text for s in batch.stylesheets), output.html)


def template_key(stamps: StampSet, variant: str) -> str:
    """Return the cache key of a template."""
    return _digest("template", stamps.head, stamps.tail, repr(stamps.forms), repr(stamps.meta),
                   *(s.text for s in stamps.stylesheets), stamps.templates[variant])


def fill_key(stamps: StampSet, fill: Fill) -> str:
    """Return the cache key of one stamped agreement."""
    return _digest("fill", template_key(stamps, fill.variant), repr(fill.texts), repr(fill.meta), fill.path)


class Cache:
    """Files of earlier builds by the hash of their inputs; without a folder, a cache that keeps nothing."""

    def __init__(self, folder: Optional[Path]) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def path(self, key: str, suffix: str = ".pdf") -> Optional[Path]:
        return self.folder / key[:2] / f"{key}{suffix}" if self.folder else None

    def get(self, key: str, suffix: str = ".pdf") -> Optional[bytes]:
        path = self.path(key, suffix)
        if path is None or not path.is_file():
            return None
        self.used.add(path.name)
        return path.read_bytes()

    def put(self, key: str, data: bytes, suffix: str = ".pdf") -> None:
        path = self.path(key, suffix)
        if path is None:
            return
        self.used.add(path.name)
        if path.is_file():
            return
        private_dir(path.parent)  # 0700, files 0600: the cache holds the groups' named agreements
        write_private(path, data)

    def keep(self, key: str, *suffixes: str) -> None:
        """Keep these entries through `prune` without reading them."""
        for suffix in suffixes:
            path = self.path(key, suffix)
            if path is not None:
                self.used.add(path.name)

    def prune(self) -> None:
        """Remove the entries this build did not use."""
        if self.folder is None or not self.folder.is_dir():
            return
        for old in self.folder.glob("*/*"):
            if old.name not in self.used:
                old.unlink(missing_ok=True)
