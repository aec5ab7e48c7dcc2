"""The unit of work: one transaction per use case, committed only by the service."""

from __future__ import annotations

import asyncio
import time
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adsbot.storage.engine import READ_ONLY


class WriteLock:
    """One SQLite writer of this process at a time, queued in asyncio.

    A write unit of work opened inside another one in the same task would wait for itself
    forever; that mistake fails at once instead.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise RuntimeError("a write unit of work was opened inside another in the same task")
        await self._lock.acquire()
        self._owner = task

    def release(self) -> None:
        self._owner = None
        self._lock.release()


class TransactionObserver(Protocol):
    def __call__(self, seconds: float, outcome: str) -> None: ...


class UnitOfWork:
    """`async with UnitOfWork(engine) as uow: ...; await uow.commit()`.

    Leaving the block without `commit()` rolls back. A read-only unit of work starts a deferred
    transaction on SQLite (readers never wait for the write lock) and refuses to commit.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        read_only: bool = False,
        observer: TransactionObserver | None = None,
        write_lock: WriteLock | None = None,
    ) -> None:
        self._engine = engine
        self._write_lock = None if read_only else write_lock
        self.read_only = read_only
        self._observer = observer
        self._session: AsyncSession | None = None
        self._started = 0.0
        self._committed = False
        self._holds_lock = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `async with` block")
        return self._session

    async def __aenter__(self) -> Self:
        if self._write_lock is not None:
            await self._write_lock.acquire()
            self._holds_lock = True
        try:
            self._session = AsyncSession(self._engine, expire_on_commit=False, autoflush=True)
            self._started = time.perf_counter()
            # Procure the connection now so BEGIN (IMMEDIATE or deferred) is chosen up front.
            await self._session.connection(execution_options={READ_ONLY: self.read_only})
        except BaseException:
            await self._release()
            raise
        return self

    async def _release(self) -> None:
        try:
            if self._session is not None:
                await self._session.close()
        finally:
            self._session = None
            if self._write_lock is not None and self._holds_lock:
                self._holds_lock = False
                self._write_lock.release()

    async def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        await self.session.commit()
        self._committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back an uncommitted transaction without expiring loaded objects, so a
        # read-only unit of work can hand its results to the caller.
        try:
            await self._release()
        finally:
            if self._observer is not None:
                outcome = "commit" if self._committed else ("error" if exc else "rollback")
                self._observer(time.perf_counter() - self._started, outcome)
