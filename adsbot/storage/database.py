"""The application's handle on its database: the async engine and units of work."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adsbot.storage.engine import READ_ONLY, create_app_engine
from adsbot.storage.uow import TransactionObserver, UnitOfWork, WriteLock


class Database:
    def __init__(self, engine: AsyncEngine, observer: TransactionObserver | None = None) -> None:
        self.engine = engine
        self._observer = observer
        # SQLite has one writer at a time. Writers of this process queue here, in asyncio,
        # instead of in SQLite's busy handler, which sleeps up to 100 ms between retries.
        # (Other processes are still serialised by BEGIN IMMEDIATE and the busy timeout.)
        self._write_lock = WriteLock() if engine.dialect.name == "sqlite" else None

    @classmethod
    def from_url(cls, url: str, observer: TransactionObserver | None = None) -> Database:
        return cls(create_app_engine(url), observer)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(
            self.engine, read_only=read_only, observer=self._observer, write_lock=self._write_lock
        )

    async def ping(self) -> None:
        """One round trip; raises if the database cannot be reached."""
        async with self.engine.connect() as connection:
            read_only = await connection.execution_options(**{READ_ONLY: True})
            await read_only.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
