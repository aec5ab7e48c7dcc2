"""Run Alembic programmatically on a synchronous engine; report what was applied."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from adsbot.storage.engine import create_sync_engine
from adsbot.storage.urls import masked

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def all_revisions() -> list[str]:
    """Every revision from the first to head."""
    script = ScriptDirectory.from_config(_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _outside_transaction(connection: Connection, sql: str) -> None:
    # PRAGMA foreign_keys is a no-op inside a transaction: run it on the raw connection, which
    # our engine keeps in autocommit mode until a unit of work emits BEGIN.
    connection.connection.driver_connection.execute(sql)  # type: ignore[union-attr]


def _run(engine: Engine, action: str, target: str) -> None:
    """Run an Alembic command; on SQLite with foreign keys off (batch migrations recreate
    tables), checked once the migration has committed."""
    config = _config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _outside_transaction(connection, "PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)
        connection.commit()
        if sqlite:
            broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            connection.rollback()
            _outside_transaction(connection, "PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(f"foreign key check failed after migration: {broken[:5]}")


def upgrade(url: str, target: str = "head") -> list[str]:
    """Upgrade the database at `url`; return the revisions applied, oldest first."""
    engine = create_sync_engine(url)
    try:
        before = current_revision(engine)
        _run(engine, "upgrade", target)
        after = current_revision(engine)
    finally:
        engine.dispose()
    return _between(before, after)


def downgrade(url: str, target: str) -> None:
    engine = create_sync_engine(url)
    try:
        _run(engine, "downgrade", target)
    finally:
        engine.dispose()


def _between(before: str | None, after: str | None) -> list[str]:
    revisions = all_revisions()
    start = revisions.index(before) + 1 if before else 0
    end = revisions.index(after) + 1 if after else 0
    return revisions[start:end]


def unusable(url: str, *, need_head: bool = True) -> str | None:
    """Why the database at `url` cannot be used as it is, in one line for the operator, or
    None: it cannot be opened, or (`need_head`) it is not at the latest revision."""
    try:
        current, head = pending(url)
    except (SQLAlchemyError, OSError) as exc:
        cause = exc.orig if isinstance(exc, DBAPIError) else exc
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        return f"Database {masked(url)} cannot be opened: {reason}"
    if need_head and current != head:
        return (
            f"Database {masked(url)} is at revision {current or 'none'}, not {head}: "
            "run `python scripts/migrate.py` first"
        )
    return None


def pending(url: str) -> tuple[str | None, str]:
    """(current revision, head revision) of the database at `url`."""
    engine = create_sync_engine(url)
    try:
        return current_revision(engine), head_revision()
    finally:
        engine.dispose()
