"""Engines with the connection rules of DESIGN section 4 (WAL, FULL sync, BEGIN IMMEDIATE, ...)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adsbot.storage.urls import async_url, is_sqlite, sync_url

SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option a unit of work sets to start a deferred (read-only) SQLite transaction.
READ_ONLY = "adsbot_read_only"


def _sqlite_rules(engine: Engine) -> None:
    """Pragmas on every connection, and `BEGIN IMMEDIATE` unless the transaction is read-only.

    pysqlite's own transaction handling is switched off (isolation_level=None) so that we emit
    BEGIN ourselves: a deferred transaction that reads and then writes fails at once with
    "database is locked", ignoring the busy timeout.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_sync_engine(url: str | URL, **kwargs: Any) -> Engine:
    """A synchronous engine (Alembic, CLI commands, the staging plan's one-liners)."""
    target = sync_url(url)
    engine = create_engine(target, **kwargs)
    if is_sqlite(target):
        _sqlite_rules(engine)
    return engine


def create_app_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """The application's async engine."""
    target = async_url(url)
    if not is_sqlite(target):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(target, **kwargs)
    if is_sqlite(target):
        _sqlite_rules(engine.sync_engine)
    return engine
