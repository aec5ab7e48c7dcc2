"""/readyz: is this process able to do its job right now? Each failing part is named."""

from __future__ import annotations

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
    ) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._health = health
        self._metrics = metrics
        self._started = time.monotonic()
        self.extra_checks: list[Check] = []

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
