"""The returned forms a coordinator collected: an SQLite database in `.handbook/returns.sqlite`, owner only.

Kept across builds and never part of the site or the zip (it holds answers of named groups).
Each collected file is one row of `returns`, recognised by the SHA-256 of its bytes (the same
file collected twice is one return), with what the program keeps of its answers in `answers`.
A file is stored in one transaction: one that fails leaves what was stored before as it was.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from handbook.errors import HandbookError
from handbook.plan.returns import Stored

SCHEMA = 1
_TABLES = """
CREATE TABLE IF NOT EXISTS returns (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,     -- SHA-256 of the file's bytes
    file TEXT NOT NULL,              -- the file's name when it was collected
    collected TEXT NOT NULL,         -- when, ISO 8601 UTC
    form TEXT NOT NULL,              -- e.g. mid-point-check-in
    version TEXT NOT NULL,           -- the fingerprint the form carries
    grp TEXT NOT NULL                -- the group id
);
CREATE TABLE IF NOT EXISTS answers (
    return_id INTEGER NOT NULL REFERENCES returns(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (return_id, field)
);
"""


class StoreError(HandbookError):
    """The database cannot be opened or written: it is never replaced or emptied to make it work."""


class Store:
    """The database of returned forms; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():  # made owner-only before SQLite writes a byte
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA foreign_keys = ON")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA:
                raise StoreError(f"{path} was written by a newer handbook (schema {version})",
                                 "update handbook (pip install -U handbook) before collecting into it")
            self.db.executescript(_TABLES)
            self.db.execute(f"PRAGMA user_version = {SCHEMA}")
        except sqlite3.DatabaseError as exc:
            raise _not_ours(path, exc) from exc

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.db.close()

    def has(self, digest: str) -> str | None:
        """Return the name the file with this digest was collected as, or None."""
        row = self.db.execute("SELECT file FROM returns WHERE digest = ?", (digest,)).fetchone()
        return row[0] if row else None

    def add(self, *, digest: str, file: str, collected: str, form: str, version: str, group: str,
            answers: dict[str, str]) -> bool:
        """Store one return and its answers in one transaction; False when this file was stored before."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO returns (digest, file, collected, form, version, grp) VALUES (?, ?, ?, ?, ?, ?)",
                (digest, file, collected, form, version, group))
            if cursor.rowcount == 0:
                self.db.execute("ROLLBACK")
                return False
            self.db.executemany("INSERT INTO answers (return_id, field, value) VALUES (?, ?, ?)",
                                [(cursor.lastrowid, name, value) for name, value in sorted(answers.items())])
            self.db.execute("COMMIT")
            return True
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: cannot store {file} ({exc})",
                             "check the disk and the file's permissions; what was stored before is kept") from exc

    def returns(self) -> list[Stored]:
        """Return every stored return, oldest first, with its answers."""
        return _returns(self.db)


def read_returns(path: Path) -> list[Stored]:
    """Return every stored return of the database at `path`, or none when there is no database.

    Opened read-only: a build reads it as an input, and reading must not change it.
    """
    if not path.is_file():
        return []
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                raise StoreError(f"{path} is not a database of returned forms this handbook reads",
                                 "collect the returned forms again into a fresh database")
            return _returns(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise _not_ours(path, exc) from exc


def _not_ours(path: Path, exc: Exception) -> StoreError:
    return StoreError(f"{path} is not a database of returned forms ({exc})",
                      "move it away (it is never overwritten) and collect the forms again")


def _returns(db: sqlite3.Connection) -> list[Stored]:
    answers: dict[int, dict[str, str]] = {}
    for return_id, field, value in db.execute("SELECT return_id, field, value FROM answers"):
        answers.setdefault(return_id, {})[field] = value
    rows = db.execute("SELECT id, file, collected, form, version, grp FROM returns ORDER BY collected, id")
    return [Stored(*row, answers=answers.get(row[0], {})) for row in rows]
