"""/readyz: is this process able to do its job right now? Each failing part is named."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from adsbot.adapters.clock import Clock
from adsbot.adapters.telegram import TelegramHealth
from adsbot.services import inbox
from adsbot.settings import Settings
from adsbot.storage.database import Database
from adsbot.web.metrics import Metrics

logger = logging.getLogger(__name__)

PROBE_AFTER_S, PROBE_TIMEOUT_S = 10.0, 3.0
# Asks Telegram whether it answers (the bot's getMe).
Probe = Callable[[], Awaitable[object]]
# Extra checks later parts register (outbox lag, jobs): each returns a failure text or None.
Check = Callable[[], Awaitable[str | None]]


class Readiness:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        health: TelegramHealth,
        metrics: Metrics,
        probe: Probe | None = None,
    ) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._health = health
        self._metrics = metrics
        self._probe = probe
        self.probe_after_s = PROBE_AFTER_S
        self._started = time.monotonic()
        self.extra_checks: list[Check] = []

    async def _probe_telegram(self) -> None:
        """One failed call says little on a quiet bot (nothing may call Telegram again for
        hours): once the failure is a few seconds old, ask Telegram directly (getMe); the
        request layer records the answer either way."""
        last = self._health.last_at
        if self._probe is None or last is None or time.monotonic() - last < self.probe_after_s:
            return
        try:
            await asyncio.wait_for(self._probe(), PROBE_TIMEOUT_S)
        except Exception as exc:  # the failure is already recorded by the request layer
            logger.warning("Readiness probe of Telegram failed: %s", type(exc).__name__)

    def in_grace(self) -> bool:
        return time.monotonic() - self._started < self._settings.READY_GRACE_S

    async def failures(self) -> list[str]:
        problems: list[str] = []
        try:
            await self._db.ping()
        except Exception as exc:  # any driver error means "not reachable"
            logger.warning("Readiness: database unreachable: %s", exc)
            return ["database unreachable"]
        if self._health.last_ok is False:
            await self._probe_telegram()
        if self._health.last_ok is False:
            problems.append(f"telegram unreachable ({self._health.last_error})")
        depth, lag = await inbox.lag(self._db, self._clock.now())
        self._metrics.inbox_depth.set(depth)
        self._metrics.inbox_lag.set(lag)
        # At start-up a replayed backlog is expected: lag counts only after the grace period.
        if not self.in_grace() and lag > self._settings.READY_MAX_INBOX_LAG_S:
            problems.append(
                f"inbox lag {lag:.0f}s over {self._settings.READY_MAX_INBOX_LAG_S:.0f}s"
            )
        for check in self.extra_checks:
            problem = await check()
            if problem:
                problems.append(problem)
        return problems
