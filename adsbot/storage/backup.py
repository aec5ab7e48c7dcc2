"""Consistent backups of a live database into BACKUP_DIR.

SQLite: the online backup API copies a consistent snapshot while the bot keeps running (copying
the file with `cp` can miss what still sits in the WAL). PostgreSQL: `pg_dump` in custom format.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from adsbot.storage.urls import is_sqlite, sqlite_path


class BackupError(RuntimeError):
    """The backup could not be made; the message says why in one line."""


def backup(url: str, directory: Path, now: datetime) -> Path:
    """Write a backup of the database at `url` into `directory`; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    if is_sqlite(url):
        return _sqlite(url, directory / f"adsbot-{stamp}.db")
    return _postgres(url, directory / f"adsbot-{stamp}.dump")


def _sqlite(url: str, target: Path) -> Path:
    source_path = sqlite_path(url)
    if source_path is None or not Path(source_path).exists():
        raise BackupError(f"no SQLite database file at {source_path}")
    partial = target.with_suffix(".partial")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            problems = copy.execute("PRAGMA integrity_check").fetchone()
        finally:
            copy.close()
    finally:
        source.close()
    if problems is None or problems[0] != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {problems}")
    partial.rename(target)  # only a complete, checked copy gets the final name
    return target


def _postgres(url: str, target: Path) -> Path:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    parsed = make_url(url)
    # The password goes through the environment, not the command line (visible in `ps`).
    libpq_url = parsed.set(drivername="postgresql", password=None).render_as_string()
    env = {**os.environ, "PGPASSWORD": parsed.password or ""}
    partial = target.with_suffix(".partial")
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [pg_dump, "--format=custom", f"--file={partial}", f"--dbname={libpq_url}"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip().splitlines()[-1:]}")
    partial.rename(target)
    return target
