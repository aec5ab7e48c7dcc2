"""The outbox sender: claims due rows, paces them like Telegram allows, sends, records.

One loop per process (`start`/`stop`, started by the Runtime; the `outbox_sender` job in the
registry restarts it if it ever dies). Each batch is leased in the database, rendered in each
recipient's language, sent concurrently at reserved times (`Pacer`), and its outcomes written in
one unit of work. A crash between a send and that write re-sends at most one batch.

Failures: 429 → that chat waits `retry_after` (and several chats with 429 pause everything,
`FloodGuard`); 5xx, timeouts and network errors → capped backoff with jitter, dead after
`RetryPolicy.max_attempts`; "bot was blocked" (any 403 in a private chat) → the user is marked
unreachable and nothing more is sent to them until they write again; other 4xx → dead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from adsbot.adapters.clock import Clock
from adsbot.adapters.telegram import retry_after_seconds
from adsbot.bot.i18n import DEFAULT_LANGUAGE
from adsbot.jobs import outbox_store as store
from adsbot.jobs.outbox_store import ClaimedMessage, Outcome, Recipient
from adsbot.jobs.pacing import FloodGuard, PaceLimits, Pacer, RetryPolicy
from adsbot.services.outbox import CATEGORY_PARAM, MARKUP_PARAM, Lane, render
from adsbot.storage.database import Database
from adsbot.storage.retry import retry_write
from adsbot.web.metrics import Metrics

logger = logging.getLogger(__name__)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.randrange(16**6):06x}"


@dataclass(frozen=True)
class SenderConfig:
    limits: PaceLimits = field(default_factory=PaceLimits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    flood_threshold: int = 3
    flood_window: timedelta = timedelta(seconds=10)
    # None: about one second of sends at the global rate. A transactional message waits at
    # most about a batch behind a broadcast, and the pause between batches (record, claim)
    # costs about 1-2% of the rate.
    batch_size: int | None = None
    lease: timedelta = timedelta(seconds=60)
    # A row whose chat cannot take it within this many seconds goes back to the table with a
    # later due time instead of being held in memory.
    horizon_s: float = 1.0
    idle_poll_s: float = 0.5
    language: str = DEFAULT_LANGUAGE

    @property
    def batch(self) -> int:
        if self.batch_size is not None:
            return self.batch_size
        return max(1, round(self.limits.global_per_s))


@dataclass
class SenderStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0
    rate_limited: int = 0

    def describe(self) -> str:
        return (
            f"sent {self.sent}, retried {self.retried}, dead {self.dead}, "
            f"skipped {self.skipped}, 429 {self.rate_limited}"
        )


class OutboxSender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        metrics: Metrics | None = None,
        config: SenderConfig | None = None,
        *,
        worker_id: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.db, self.bot, self.clock, self.metrics = db, bot, clock, metrics
        self.config = config or SenderConfig()
        self.worker_id = worker_id or worker_identity()
        self.pacer = Pacer(self.config.limits)
        self.flood = FloodGuard(self.config.flood_threshold, self.config.flood_window)
        self.totals = SenderStats()
        self._monotonic = monotonic
        self._rng = rng or random.Random()
        self._held: dict[int, datetime] = {}  # chat id -> no sends before (after a 429)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._closed = False  # stopped for good: the heartbeat job must not start it again
        self._wake = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Run the loop in the background (again, if it died), unless stopped for good."""
        if self._closed:
            return
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self._loop(), name="outbox-sender")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Look for due rows now instead of at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Finish the batch in flight (its outcomes are recorded), then stop for good."""
        self._closed = True
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def heartbeat(self) -> str:
        """The registry job: make sure the loop runs; report what it did so far."""
        if self._closed:
            return "stopped"
        restarted = not self.running
        self.start()
        return ("restarted; " if restarted else "") + self.totals.describe()

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                stats = await self.run_pass()
            except Exception:
                logger.exception("Outbox pass failed; retrying shortly")
                stats = SenderStats()
            if stats.claimed == 0 and not self._stopping:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.config.idle_poll_s)

    # -- one pass ------------------------------------------------------------------------------

    async def run_pass(self) -> SenderStats:
        """Send batches until nothing is due (or a global pause starts); the pass's counts."""
        stats = SenderStats()
        while not self._stopping:
            now = self.clock.now()
            if self.flood.paused(now):
                break
            batch = await store.claim(
                self.db, now, self.worker_id, self.config.batch, self.config.lease
            )
            if not batch:
                break
            stats.claimed += len(batch)
            await self._send_batch(batch, stats)
        for name in ("claimed", "sent", "retried", "dead", "skipped", "rate_limited"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(stats, name))
        return stats

    async def _send_batch(self, batch: list[ClaimedMessage], stats: SenderStats) -> None:
        chats = {message.chat_id for message in batch}
        people = await store.recipients(self.db, chats, self.config.language)
        now, mono = self.clock.now(), self._monotonic()
        results: list[tuple[ClaimedMessage, Outcome]] = []
        sends: list[asyncio.Task[tuple[ClaimedMessage, Outcome]]] = []
        for message in batch:
            person = people[message.chat_id]
            early = self._not_now(message.chat_id, now)
            category = message.params.get(CATEGORY_PARAM)
            if person.unreachable:
                results.append((message, store.Skipped("unreachable")))
            elif category in person.muted:
                results.append((message, store.Skipped(f"muted: {category}")))
            elif early is not None:
                results.append((message, store.Retry(early)))
            else:
                wait = self.pacer.earliest(message.chat_id, mono) - mono
                if wait > self.config.horizon_s:
                    results.append((message, store.Retry(now + timedelta(seconds=wait))))
                    continue
                at = self.pacer.reserve(message.chat_id, mono)
                sends.append(asyncio.create_task(self._send_at(message, person, at)))
        results.extend(await asyncio.gather(*sends))
        await self._record(results)
        for message, outcome in results:
            self._count(message, outcome, stats)

    async def _record(self, results: list[tuple[ClaimedMessage, Outcome]]) -> None:
        """Write the batch's outcomes. "Sent" is what keeps a message from going out twice, so a
        failed write is retried before giving up (the lease then expires and rows are resent)."""
        await retry_write(
            lambda: store.record(self.db, self.worker_id, self.clock.now(), results),
            "Recording an outbox batch",
        )

    def _not_now(self, chat_id: int, now: datetime) -> datetime | None:
        """When a held chat or a global pause lets this chat send again (None: now)."""
        until = self._held.get(chat_id)
        if until is not None and until <= now:
            del self._held[chat_id]
            until = None
        if self.flood.paused(now):
            assert self.flood.paused_until is not None
            until = max(until or now, self.flood.paused_until)
        return until

    async def _send_at(
        self, message: ClaimedMessage, person: Recipient, at: float
    ) -> tuple[ClaimedMessage, Outcome]:
        slot = 1.0 / self.pacer.limits.global_per_s
        while True:
            delay = at - self._monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._monotonic() - at <= slot:
                break
            # The event loop stalled past this slot (GC, a busy CPU): every send that overslept
            # would leave at once, a burst Telegram answers with 429. Take the next free slot.
            at = self.pacer.reserve(message.chat_id, self._monotonic())
        # A 429 or a pause may have come in while this one waited for its slot.
        early = self._not_now(message.chat_id, self.clock.now())
        if early is not None:
            return message, store.Retry(early)
        try:
            return message, await self._send(message, person)
        except Exception as exc:
            # Not a Telegram answer (say, the database refused to note a 429 hold): this row
            # is retried, and the batch's other outcomes are still recorded.
            logger.exception("Outbox row %d: unexpected failure", message.id)
            return message, self._retry(message, f"{type(exc).__name__}: {exc}"[:300])

    async def _send(self, message: ClaimedMessage, person: Recipient) -> Outcome:
        try:
            text = render(person.language, message.template_key, message.params)
            markup_data = message.params.get(MARKUP_PARAM)
            markup = InlineKeyboardMarkup.de_json(markup_data, self.bot) if markup_data else None
        except Exception as exc:  # a template changed since the row was written
            logger.error("Outbox row %d cannot be rendered: %r", message.id, exc)
            return store.Dead(f"render: {exc!r}"[:500])
        try:
            sent = await self.bot.send_message(
                message.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except RetryAfter as exc:
            return await self._rate_limited(message, retry_after_seconds(exc))
        except Forbidden as exc:
            if message.chat_id > 0:
                return store.Blocked()
            return self._dead(message, f"forbidden: {exc.message}")
        except BadRequest as exc:
            return self._dead(message, f"bad request: {exc.message}")
        except (TimedOut, NetworkError, TelegramError) as exc:
            # 5xx answers and timeouts (a timed-out send may have arrived: at most twice).
            return self._retry(message, f"{type(exc).__name__}: {exc.message}")
        return store.Sent(sent.message_id)

    async def _rate_limited(self, message: ClaimedMessage, retry_after: float) -> Outcome:
        now = self.clock.now()
        until = now + timedelta(seconds=max(retry_after, 1.0))
        self._held[message.chat_id] = max(until, self._held.get(message.chat_id, until))
        if self.metrics is not None:
            self.metrics.outbox_rate_limited.inc()
        paused = self.flood.record(message.chat_id, retry_after, now)
        if paused is not None:
            logger.warning(
                "Outbox: %d chats got 429 within %ss; pausing all sends until %s",
                self.config.flood_threshold,
                self.config.flood_window.total_seconds(),
                paused.isoformat(),
            )
            if self.metrics is not None:
                self.metrics.outbox_global_pauses.inc()
        await store.hold_chat(self.db, message.chat_id, until)
        return store.Retry(until, f"429: retry after {retry_after:g}s")

    def _retry(self, message: ClaimedMessage, error: str) -> Outcome:
        attempt = message.attempts + 1
        if self.config.retry.exhausted(attempt):
            return self._dead(message, f"gave up after {attempt} attempts: {error}")
        at = self.clock.now() + self.config.retry.delay(attempt, self._rng)
        return store.Retry(at, error, counts=True)

    def _dead(self, message: ClaimedMessage, error: str) -> Outcome:
        logger.error(
            "Outbox row %d to chat %d (%s) is dead: %s",
            message.id,
            message.chat_id,
            message.template_key,
            error,
        )
        return store.Dead(error[:500])

    def _count(self, message: ClaimedMessage, outcome: Outcome, stats: SenderStats) -> None:
        metrics = self.metrics
        lane = Lane(message.lane).name.lower()
        if isinstance(outcome, store.Sent):
            stats.sent += 1
            if metrics is not None:
                metrics.outbox_sent.labels(lane=lane).inc()
            return
        if isinstance(outcome, store.Retry):
            if outcome.error is None:
                return  # paced or held: not a failure
            reason = "429" if outcome.error.startswith("429") else "retry"
            stats.rate_limited += reason == "429"
            stats.retried += reason == "retry"
        elif isinstance(outcome, store.Dead):
            stats.dead += 1
            reason = "dead"
        else:
            stats.skipped += 1
            reason = "blocked" if isinstance(outcome, store.Blocked) else outcome.reason
        if metrics is not None:
            metrics.outbox_failed.labels(reason=reason).inc()
