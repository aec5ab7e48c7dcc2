"""`adsbot backup`: a consistent, restorable copy while the database is in use."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from adsbot.storage.backup import BackupError, backup
from adsbot.storage.models import User
from tests import harness

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def _add_user(url: str, user_id: int) -> None:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            session.add(User(id=user_id, first_name="Bea", created_at=NOW, last_seen_at=NOW))
            session.commit()
    finally:
        engine.dispose()


def test_a_sqlite_backup_holds_what_was_committed_and_opens_as_a_database(
    sqlite_url: str, tmp_path: Path
) -> None:
    _add_user(sqlite_url, 42)
    # A second connection keeps the WAL busy, as the running bot would.
    live = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    try:
        path = backup(sqlite_url, tmp_path / "backups", NOW)
    finally:
        live.close()
    assert path.name == "adsbot-20261129-030000.db"
    assert not list(path.parent.glob("*.partial"))
    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            assert [u.id for u in session.execute(select(User)).scalars()] == [42]
    finally:
        engine.dispose()


def test_a_missing_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no SQLite database file"):
        backup(f"sqlite:///{tmp_path / 'absent.db'}", tmp_path / "b", NOW)


def test_the_cli_writes_into_backup_dir(sqlite_url: str, tmp_path: Path) -> None:
    env = harness.child_env(DATABASE_URL=sqlite_url, BACKUP_DIR=str(tmp_path / "bk"))
    result = subprocess.run(
        [sys.executable, "-m", "adsbot.cli.main", "backup"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "backup written" in result.stdout
    assert len(list((tmp_path / "bk").glob("adsbot-*.db"))) == 1


def test_a_postgres_backup_is_a_pg_dump_archive(postgres_url: str, tmp_path: Path) -> None:
    import shutil

    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump not installed")
    _add_user(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1), 7)
    path = backup(postgres_url, tmp_path, NOW)
    assert path.read_bytes()[:5] == b"PGDMP"
