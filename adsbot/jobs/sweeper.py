"""The timers sweeper: close stuck no-retry timers (and tell the admins), claim due ones, run
their handlers, record the results. Three short transactions per pass, whatever the batch size;
no transaction is open while a handler runs (handlers may call Telegram)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from adsbot.adapters.clock import Clock
from adsbot.services import outbox, timers
from adsbot.services.timers import STUCK, ClaimedTimer, TimerKinds
from adsbot.storage.database import Database
from adsbot.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(minutes=30)


class SweepContext(Protocol):
    """What the sweeper needs from the job context (adsbot.jobs.registry.JobContext)."""

    @property
    def db(self) -> Database: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def worker_id(self) -> str: ...
    @property
    def admin_ids(self) -> tuple[int, ...]: ...
    @property
    def timer_kinds(self) -> TimerKinds: ...


@dataclass
class SweepResult:
    claimed: int = 0
    done: int = 0
    retried: int = 0
    failed: int = 0
    stuck: int = 0

    def describe(self) -> str:
        return (
            f"claimed {self.claimed}, done {self.done}, retried {self.retried}, "
            f"failed {self.failed}, stuck {self.stuck}"
        )


async def alert_admins(
    uow: UnitOfWork, admin_ids: tuple[int, ...], timer: ClaimedTimer, outcome: str, now: datetime
) -> None:
    """One outbox message per admin, written with the change that closed the timer."""
    if not admin_ids:
        logger.error("Timer %s/%s is %s and ADMIN_IDS is empty", timer.kind, timer.ref_id, outcome)
    for admin_id in admin_ids:
        await outbox.enqueue(
            uow,
            admin_id,
            f"admin_alerts.timer_{outcome}",
            {"kind": timer.kind, "ref_id": timer.ref_id, "due_at": timer.due_at.isoformat()},
            now=now,
            dedupe_key=f"timer:{timer.id}:{outcome}:{admin_id}",
        )


def _backoff(attempts: int) -> timedelta:
    delay: timedelta = RETRY_BASE * 2 ** max(0, attempts - 1)
    return min(RETRY_CAP, delay)


async def sweep(
    ctx: SweepContext, now: datetime, *, limit: int = 100, lease: timedelta = LEASE
) -> SweepResult:
    """One pass at `now`: safe to run in several processes at once, and to run again."""
    kinds = ctx.timer_kinds
    result = SweepResult()
    async with ctx.db.unit_of_work() as uow:
        stuck = await timers.close_stuck(uow, now, kinds.no_retry_names)
        for timer in stuck:
            logger.error(
                "Timer %s/%s stuck after a crash: sent to the admins", timer.kind, timer.ref_id
            )
            await alert_admins(uow, ctx.admin_ids, timer, STUCK, now)
        claimed = await timers.claim(uow, now, ctx.worker_id, kinds, limit=limit, lease=lease)
        await uow.commit()
    result.stuck, result.claimed = len(stuck), len(claimed)

    done: list[int] = []
    failures: list[tuple[ClaimedTimer, Exception]] = []
    # Stop well before the lease runs out: past it another process may claim these timers
    # (a retry kind would run twice, a no-retry kind would be reported stuck while it runs).
    stop_at = now + lease * 0.8
    for index, timer in enumerate(claimed):
        if ctx.clock.now() >= stop_at:
            await _give_back(ctx, claimed[index:])
            break
        kind = kinds.get(timer.kind)
        assert kind is not None  # claim only takes known kinds
        try:
            await kind.handler(ctx, timer)
        except Exception as exc:
            logger.exception(
                "Timer %s/%s failed (attempt %d)", timer.kind, timer.ref_id, timer.attempts
            )
            failures.append((timer, exc))
        else:
            if kind.no_retry:
                # Done at once: a crash later in the batch must not make it look stuck.
                result.done += await timers.complete(
                    ctx.db, ctx.worker_id, [timer.id], ctx.clock.now()
                )
            else:
                done.append(timer.id)
    result.done += await timers.complete(ctx.db, ctx.worker_id, done, ctx.clock.now())
    if failures:
        await _record_failures(ctx, failures, result)
    return result


async def _give_back(ctx: SweepContext, timers_left: list[ClaimedTimer]) -> None:
    """Free timers this pass had no time left to run; the next pass takes them."""
    async with ctx.db.unit_of_work() as uow:
        for timer in timers_left:
            await timers.unclaim(uow, ctx.worker_id, timer, "lease ran short")
        await uow.commit()


async def _record_failures(
    ctx: SweepContext, failures: list[tuple[ClaimedTimer, Exception]], result: SweepResult
) -> None:
    now = ctx.clock.now()
    async with ctx.db.unit_of_work() as uow:
        for timer, exc in failures:
            kind = ctx.timer_kinds.get(timer.kind)
            assert kind is not None
            error = f"{type(exc).__name__}: {exc}"
            if kind.no_retry or timer.attempts >= kind.max_attempts:
                outcome = STUCK if kind.no_retry else timers.FAILED
                if await timers.finish_failed(uow, ctx.worker_id, timer, now, outcome, error):
                    await alert_admins(uow, ctx.admin_ids, timer, outcome, now)
                    result.stuck += outcome == STUCK
                    result.failed += outcome == timers.FAILED
            else:
                await timers.release(
                    uow, ctx.worker_id, timer, now + _backoff(timer.attempts), error
                )
                result.retried += 1
        await uow.commit()
