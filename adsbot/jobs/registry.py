"""Every periodic job, declared in one place. Runs are recorded in the `jobs` table so that
`adsbot.bot.scheduler.get_jobs()` can report them from any process."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from adsbot.adapters.clock import Clock
from adsbot.services import inbox
from adsbot.storage.database import Database
from adsbot.storage.models import JobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    db: Database
    clock: Clock


@dataclass(frozen=True)
class JobSpec:
    name: str
    title: str
    interval: timedelta
    run: Callable[[JobContext], Awaitable[str]]


async def _prune_inbox(ctx: JobContext) -> str:
    return f"pruned {await inbox.prune(ctx.db, ctx.clock.now())}"


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "inbox_prune", "Prune handled updates older than 7 days", timedelta(hours=1), _prune_inbox
    ),
)


async def run_and_record(spec: JobSpec, ctx: JobContext) -> str:
    """Run one job and record the run (result, duration, next run)."""
    started = time.perf_counter()
    try:
        result = await spec.run(ctx)
        failed = False
    except Exception as exc:
        logger.exception("Job %s failed", spec.name)
        result, failed = f"failed: {type(exc).__name__}", True
    duration_ms = int((time.perf_counter() - started) * 1000)
    now = ctx.clock.now()
    await record_run(ctx.db, spec, now, duration_ms, result, failed)
    return result


async def record_run(
    db: Database, spec: JobSpec, now: datetime, duration_ms: int, result: str, failed: bool
) -> None:
    async with db.unit_of_work() as uow:
        row = (
            await uow.session.execute(select(JobRun).where(JobRun.name == spec.name))
        ).scalar_one_or_none()
        if row is None:
            row = JobRun(name=spec.name, runs=0, failures=0)
            uow.session.add(row)
        row.interval_s = int(spec.interval.total_seconds())
        row.last_run_at = now
        row.last_duration_ms = duration_ms
        row.last_result = result[:500]
        row.next_run_at = now + spec.interval
        row.runs = (row.runs or 0) + 1
        row.failures = (row.failures or 0) + (1 if failed else 0)
        await uow.commit()
