"""The inbox worker: feeds stored updates to the PTB application.

One user's updates are handled strictly in order (a queue per ordering key); different users'
run concurrently, bounded by a semaphore. A row is marked done or failed only after its
handlers have finished (every handler is registered with block=True), so a crash leaves it
pending and the next start replays it; failed rows are never replayed automatically.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Update

from adsbot.adapters.clock import Clock
from adsbot.adapters.telegram import BotApplication
from adsbot.services import inbox
from adsbot.services.inbox import StoredUpdate
from adsbot.storage.database import Database
from adsbot.storage.retry import retry_write
from adsbot.web.metrics import Metrics

logger = logging.getLogger(__name__)

# Decides, before handling, whether an update is handled (True) or dropped (False).
Gate = Callable[[Update], Awaitable[bool]]


@dataclass
class HandlingOutcome:
    """Filled in by the global error handler while an update is being handled."""

    error_ref: str | None = None
    notes: list[str] = field(default_factory=list)


current_outcome: contextvars.ContextVar[HandlingOutcome | None] = contextvars.ContextVar(
    "current_outcome", default=None
)


class InboxWorker:
    def __init__(
        self,
        db: Database,
        application: BotApplication,
        clock: Clock,
        metrics: Metrics,
        concurrency: int,
        gate: Gate | None = None,
        writer: inbox.InboxWriter | None = None,
    ) -> None:
        self._db = db
        self._writer = writer or inbox.InboxWriter(db)
        self._app = application
        self._clock = clock
        self._metrics = metrics
        self._slots = asyncio.Semaphore(concurrency)
        self._gate = gate
        self._queues: dict[int, deque[StoredUpdate]] = {}
        self._runners: dict[int, asyncio.Task[None]] = {}
        self._accepting = False
        self._arrived_during_replay: list[StoredUpdate] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.in_flight = 0

    def _stopped(self) -> bool:
        return not self._accepting

    async def start(self) -> int:
        """Accept new rows and replay every row left pending (by a crash or a stop).

        Rows that arrive while the replay reads the table wait until it is queued, so a user's
        older pending update is handled before their newer one, and a row is never queued twice.
        """
        self._accepting = True
        self._arrived_during_replay = []
        replayed, after = 0, 0
        seen: set[int] = set()
        try:
            while True:
                batch = await inbox.pending(self._db, after_id=after)
                if not batch:
                    break
                for row in batch:
                    self._enqueue(row)
                    seen.add(row.id)
                replayed += len(batch)
                after = batch[-1].id
        finally:
            arrived, self._arrived_during_replay = self._arrived_during_replay, None
            for row in arrived or []:
                if row.id not in seen:
                    self._enqueue(row)
        if replayed:
            logger.info("Replaying %d stored updates not handled before the last stop", replayed)
        return replayed

    def submit(self, row: StoredUpdate) -> None:
        if not self._accepting:
            return  # stays pending in the database; replayed at the next start
        if self._arrived_during_replay is not None:
            self._arrived_during_replay.append(row)
            return
        self._enqueue(row)

    def _enqueue(self, row: StoredUpdate) -> None:
        queue = self._queues.setdefault(row.ordering_key, deque())
        if any(queued.id == row.id for queued in queue):
            return
        queue.append(row)
        self._idle.clear()
        if row.ordering_key not in self._runners:
            self._runners[row.ordering_key] = asyncio.create_task(
                self._drain(row.ordering_key), name=f"inbox-{row.ordering_key}"
            )

    async def _drain(self, key: int) -> None:
        queue = self._queues[key]
        try:
            while queue and not self._stopped():
                row = queue[0]
                async with self._slots:
                    if self._stopped():  # a stop may have come while we waited for a slot
                        break
                    try:
                        await self._handle(row)
                    except Exception:
                        # The row stays pending in the database and is replayed at next start.
                        logger.exception("Update %s could not be finished", row.update_id)
                queue.popleft()
        finally:
            del self._runners[key]
            if not queue or not self._accepting:
                self._queues.pop(key, None)
            if not self._runners:
                self._idle.set()

    async def _handle(self, row: StoredUpdate) -> None:
        self.in_flight += 1
        started = time.perf_counter()
        outcome = HandlingOutcome()
        token = current_outcome.set(outcome)
        try:
            try:
                update = Update.de_json(row.payload, self._app.bot)
            except Exception:
                logger.exception("Update %s could not be parsed; stored as failed", row.update_id)
                outcome.error_ref = "unparsable"
            else:
                if await self._admitted(update):
                    await self._app.process_update(update)
                else:
                    self._metrics.updates_throttled.inc()
            await self._mark(row, outcome.error_ref)
        finally:
            current_outcome.reset(token)
            self.in_flight -= 1
        self._metrics.handler_latency.observe(time.perf_counter() - started)
        if outcome.error_ref:
            # A small fixed label set: the reference itself (E1A2B3C4D) is per failure.
            reason = "unparsable" if outcome.error_ref == "unparsable" else "handler"
            self._metrics.updates_failed.labels(reason=reason).inc()
        else:
            self._metrics.updates_processed.inc()

    async def _admitted(self, update: Update) -> bool:
        """The gate's verdict; a gate that fails lets the update through (fail open)."""
        if self._gate is None:
            return True
        try:
            return await self._gate(update)
        except Exception:
            logger.exception("Flood gate failed on update %s; handling it", update.update_id)
            return True

    async def _mark(self, row: StoredUpdate, error_ref: str | None) -> None:
        """Mark the row handled. Its handlers have run, so only the mark is missing: retry a
        few times rather than leave it pending until the next start (and out of order)."""
        await retry_write(
            lambda: self._writer.finish(row.id, self._clock.now(), error_ref),
            f"Marking update {row.update_id}",
        )

    async def wait_idle(self, seconds: float | None = None) -> None:
        """Wait until nothing is queued or running (tests and benchmarks)."""
        await asyncio.wait_for(self._idle.wait(), seconds)

    async def stop(self) -> None:
        """Stop taking rows, let the updates being handled finish; queued rows stay pending."""
        self._accepting = False
        running = list(self._runners.values())
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        self._queues.clear()
