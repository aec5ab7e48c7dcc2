"""Group commit: many small writes of one kind share one transaction.

Callers that arrive while a batch is being written wait for the next batch; every caller gets
its own result only after the batch committed, so nothing is acknowledged before it is durable.
On SQLite with `synchronous=FULL` each commit costs an fsync and the write lock is held by one
transaction at a time, so under load this turns N commits into one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from adsbot.storage.database import Database
from adsbot.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

# Writes one item inside the batch's unit of work (never commits) and returns its result.
type WriteOne[Item, Result] = Callable[[UnitOfWork, Item], Awaitable[Result]]


class GroupCommit[Item, Result]:
    def __init__(
        self, db: Database, write_one: WriteOne[Item, Result], max_batch: int = 256
    ) -> None:
        self._db = db
        self._write_one = write_one
        self._max_batch = max_batch
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches(), name="group-commit")
        return await future

    async def _write_batches(self) -> None:
        while self._waiting:
            await self._write_batch()

    def _take(self) -> list[tuple[Item, asyncio.Future[Result]]]:
        batch = self._waiting[: self._max_batch]
        del self._waiting[: self._max_batch]
        return batch

    async def _write_batch(self) -> None:
        """One transaction for the waiting items; every taken caller gets a result or an error,
        whatever happens (no caller may wait forever)."""
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            async with self._db.unit_of_work() as uow:
                # Taken only once the transaction has begun: whoever arrived while we waited
                # for the write lock joins this batch.
                batch = self._take()
                results = [await self._write_one(uow, item) for item, _ in batch]
                await uow.commit()
        except Exception as exc:
            if not batch:
                # The transaction could not even begin (database locked or down): the callers
                # waiting now get the error instead of a retry loop that never answers them.
                logger.warning("group commit could not begin a transaction: %s", exc)
                _fail(self._take(), exc)
                return
            # One bad item must not fail its neighbours: retry each alone, in order.
            for item, future in batch:
                await self._write_alone(item, future)
            return
        except BaseException:
            _fail(batch, RuntimeError("the write was cancelled before it was confirmed"))
            raise
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _write_alone(self, item: Item, future: asyncio.Future[Result]) -> None:
        try:
            async with self._db.unit_of_work() as uow:
                result = await self._write_one(uow, item)
                await uow.commit()
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
            return
        if not future.done():
            future.set_result(result)


def _fail(batch: Sequence[tuple[object, asyncio.Future[Any]]], error: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(error)
