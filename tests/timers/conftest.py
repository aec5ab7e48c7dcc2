"""A sweeper context with its own timer kinds, on a FakeClock."""

from __future__ import annotations

from dataclasses import dataclass, field

from adsbot.adapters.clock import Clock
from adsbot.services.timers import ClaimedTimer, TimerKinds
from adsbot.storage.database import Database


@dataclass
class Ctx:
    db: Database
    clock: Clock
    worker_id: str = "sweeper-a"
    admin_ids: tuple[int, ...] = (9001, 9002)
    timer_kinds: TimerKinds = field(default_factory=TimerKinds)
    ran: list[tuple[str, int]] = field(default_factory=list)

    def record(self, kind: str, fail: bool = False, no_retry: bool = False) -> None:
        async def handler(ctx: Ctx, timer: ClaimedTimer) -> None:
            self.ran.append((timer.kind, timer.ref_id))
            if fail:
                raise RuntimeError("handler failed")

        self.timer_kinds.register(kind, handler, no_retry=no_retry, max_attempts=3)
