"""Polling mode: our own getUpdates loop writing to the same inbox as the webhook.

PTB's Updater is not used (`.updater(None)`): the offset advances only after the inbox commit,
so an update is acknowledged to Telegram only once it is stored.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import Conflict, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from adsbot.adapters.clock import Clock
from adsbot.adapters.telegram import ALLOWED_UPDATES, retry_after_seconds
from adsbot.services import inbox
from adsbot.services.inbox import StoredUpdate
from adsbot.storage.database import Database
from adsbot.web.metrics import Metrics

logger = logging.getLogger(__name__)

LONG_POLL_SECONDS = 25
MAX_BACKOFF_SECONDS = 30.0


class Poller:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        clock: Clock,
        metrics: Metrics,
        on_stored: Callable[[StoredUpdate], None],
        long_poll_seconds: int = LONG_POLL_SECONDS,
    ) -> None:
        self._bot = bot
        self._db = db
        self._clock = clock
        self._metrics = metrics
        self._on_stored = on_stored
        self._long_poll = long_poll_seconds
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Switch Telegram to getUpdates without dropping what it has queued for us.
        await self._bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._loop(), name="polling")

    @property
    def alive(self) -> bool:
        """False once the polling task has ended on its own (readiness reports it)."""
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            except Exception:  # it died earlier: already logged, and shutdown must go on
                logger.exception("The polling loop had stopped with an error")

    async def _loop(self) -> None:
        offset = 0
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                batch = await self._get_updates(offset)
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except (Conflict, NetworkError, TelegramError) as exc:
                logger.warning("getUpdates failed (%s); retrying in %.0fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff = 1.0
            for payload in batch if isinstance(batch, list) else []:
                if not inbox.is_update_shaped(payload):
                    logger.warning("getUpdates returned something that is not an update; skipped")
                    continue
                try:
                    outcome, row = await inbox.store(self._db, payload, self._clock.now())
                except Exception:
                    # Not stored, so not confirmed: the next getUpdates asks from this update on.
                    logger.exception("Storing polled update %s failed", payload["update_id"])
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                    break
                # The offset confirms exactly what is stored. Set, never max()-ed across
                # batches: update ids restart at a random, possibly lower, value after a week.
                offset = int(payload["update_id"]) + 1
                if row is not None:
                    self._metrics.updates_received.labels(source="polling").inc()
                    self._on_stored(row)
                elif outcome == "duplicate":
                    self._metrics.updates_duplicate.inc()

    async def _get_updates(self, offset: int) -> object:
        """getUpdates as raw JSON: the inbox stores what Telegram sent, not PTB's re-encoding,
        and an update PTB cannot parse must not block the offset (it is stored as failed)."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Bot.getUpdates.*", category=PTBUserWarning)
            return await self._bot.do_api_request(
                "getUpdates",
                api_kwargs={
                    "offset": offset,
                    "timeout": self._long_poll,
                    "allowed_updates": ALLOWED_UPDATES,
                },
                read_timeout=self._long_poll + 10,
            )


def polling_check(poller: Poller) -> Callable[[], Awaitable[str | None]]:
    """A readiness check: polling must still be running once started."""

    async def check() -> str | None:
        return None if poller.alive else "polling stopped"

    return check
