"""The database rules of DESIGN section 4, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from adsbot.storage import migrate
from adsbot.storage.database import Database
from adsbot.storage.engine import create_sync_engine
from adsbot.storage.models import AuditLog, User

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BIG_ID = 2**62 + 12345  # Telegram ids are 64-bit


def _user(user_id: int = BIG_ID) -> User:
    return User(id=user_id, first_name="Anna", created_at=NOW, last_seen_at=NOW)


async def test_timestamps_come_back_aware_in_utc_and_ids_keep_64_bits(database: Database) -> None:
    rome = timezone(timedelta(hours=1))
    async with database.unit_of_work() as uow:
        user = _user()
        user.suspended_until = datetime(2026, 3, 1, 14, 0, tzinfo=rome)
        uow.session.add(user)
        uow.session.add(AuditLog(actor_id=BIG_ID, action="test", created_at=NOW, details={}))
        await uow.commit()
    async with database.unit_of_work(read_only=True) as uow:
        stored = (await uow.session.execute(select(User))).scalar_one()
        entry = (await uow.session.execute(select(AuditLog))).scalar_one()
    assert stored.id == BIG_ID
    assert stored.suspended_until == datetime(2026, 3, 1, 13, 0, tzinfo=UTC)
    assert stored.suspended_until.tzinfo is not None
    assert entry.id >= 1 and entry.actor_id == BIG_ID


async def test_a_unit_of_work_left_without_commit_writes_nothing(database: Database) -> None:
    async with database.unit_of_work() as uow:
        uow.session.add(_user())
        await uow.session.flush()
    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as uow:
            uow.session.add(_user(5))
            await uow.session.flush()
            raise RuntimeError("boom")
    async with database.unit_of_work(read_only=True) as uow:
        assert (await uow.session.execute(select(User))).all() == []


async def test_a_read_only_unit_of_work_refuses_to_commit(database: Database) -> None:
    async with database.unit_of_work(read_only=True) as uow:
        with pytest.raises(RuntimeError):
            await uow.commit()


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        async with database.unit_of_work() as uow:
            user = _user()
            user.created_at = datetime(2026, 1, 1)
            uow.session.add(user)
            await uow.commit()


async def test_sqlite_connections_use_wal_full_sync_busy_timeout_and_foreign_keys(
    sqlite_database: Database,
) -> None:
    async with sqlite_database.unit_of_work(read_only=True) as uow:
        pragmas = {
            name: (await uow.session.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "busy_timeout": 5000,
        "foreign_keys": 1,
    }


async def test_sqlite_writers_wait_for_each_other_instead_of_failing(sqlite_url: str) -> None:
    """Read-then-write in many concurrent units of work: BEGIN IMMEDIATE serialises them, where a
    deferred BEGIN would fail at once with "database is locked"."""
    databases = [Database.from_url(sqlite_url) for _ in range(8)]

    async def bump(db: Database, user_id: int) -> None:
        async with db.unit_of_work() as uow:
            await uow.session.execute(select(User))
            await asyncio.sleep(0.01)
            uow.session.add(_user(user_id))
            await uow.commit()

    try:
        await asyncio.gather(*(bump(db, i + 1) for i, db in enumerate(databases)))
        async with databases[0].unit_of_work(read_only=True) as uow:
            count = len((await uow.session.execute(select(User))).all())
    finally:
        for db in databases:
            await db.dispose()
    assert count == 8


def test_the_sync_engine_follows_the_same_sqlite_rules(sqlite_url: str) -> None:
    engine = create_sync_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
    finally:
        engine.dispose()


def test_migrations_go_up_down_and_up_again_over_every_revision(database_url: str) -> None:
    revisions = migrate.all_revisions()
    assert revisions[0] == "0001_initial"
    assert migrate.pending(database_url) == (revisions[-1], revisions[-1])
    for index in range(len(revisions) - 1, -1, -1):
        target = revisions[index - 1] if index > 0 else "base"
        migrate.downgrade(database_url, target)
        assert migrate.pending(database_url)[0] == (None if target == "base" else target)
    for revision in revisions:
        assert migrate.upgrade(database_url, revision) == [revision]
    assert migrate.upgrade(database_url) == []


def test_the_models_match_the_migrations(database_url: str) -> None:
    """Autogenerate against head finds nothing to do: models and migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import adsbot.storage.models  # noqa: F401
    from adsbot.storage.base import Base

    engine = create_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


async def test_a_write_unit_of_work_inside_another_in_the_same_task_fails_instead_of_hanging(
    sqlite_database: Database,
) -> None:
    async with sqlite_database.unit_of_work() as outer:
        with pytest.raises(RuntimeError, match="inside another"):
            async with sqlite_database.unit_of_work():
                pass
        outer.session.add(_user(9))
        await outer.commit()
    async with sqlite_database.unit_of_work() as again:  # the lock was released
        assert (await again.session.execute(select(User.id))).scalars().all() == [9]
