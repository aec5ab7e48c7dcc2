"""Every periodic job, declared in one place. Runs are recorded in the `jobs` table so that
`adsbot.bot.scheduler.get_jobs()` can report them from any process."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from adsbot.adapters.clock import Clock
from adsbot.jobs.outbox_sender import OutboxSender, worker_identity
from adsbot.jobs.sweeper import sweep
from adsbot.services import inbox, outbox
from adsbot.services.timers import KINDS, TimerKinds
from adsbot.storage.database import Database
from adsbot.storage.models import JobRun
from adsbot.web.metrics import Metrics

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    db: Database
    clock: Clock
    worker_id: str = field(default_factory=worker_identity)
    admin_ids: tuple[int, ...] = ()
    timer_kinds: TimerKinds = KINDS
    sender: OutboxSender | None = None
    metrics: Metrics | None = None


@dataclass(frozen=True)
class JobSpec:
    name: str
    title: str
    interval: timedelta
    run: Callable[[JobContext], Awaitable[str]]


async def _prune_inbox(ctx: JobContext) -> str:
    return f"pruned {await inbox.prune(ctx.db, ctx.clock.now())}"


async def _prune_outbox(ctx: JobContext) -> str:
    return f"pruned {await outbox.prune(ctx.db, ctx.clock.now())}"


async def _outbox_sender(ctx: JobContext) -> str:
    # The sender is a loop of its own (pacing needs it continuous); this job keeps it alive
    # and records its progress, so a dead loop shows in the jobs table and /readyz.
    if ctx.sender is None:
        return "no sender in this process"
    return await ctx.sender.heartbeat()


SWEEP_LIMIT = 100  # a batch must finish well inside its lease (see sweeper.sweep)
SWEEP_ROUNDS = 20


async def _sweep_timers(ctx: JobContext) -> str:
    total = None
    for _ in range(SWEEP_ROUNDS):  # drain a backlog, but leave room for the next run
        result = await sweep(ctx, ctx.clock.now(), limit=SWEEP_LIMIT)
        if total is None:
            total = result
        else:
            for name in ("claimed", "done", "retried", "failed", "stuck"):
                setattr(total, name, getattr(total, name) + getattr(result, name))
        if result.claimed < SWEEP_LIMIT:
            break
    assert total is not None
    return total.describe()


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "outbox_sender",
        "Deliver outbox messages (paced; keeps the sender loop alive)",
        timedelta(seconds=5),
        _outbox_sender,
    ),
    JobSpec("timers_sweep", "Run due timers (deadlines)", timedelta(seconds=5), _sweep_timers),
    JobSpec(
        "inbox_prune", "Prune handled updates older than 7 days", timedelta(hours=1), _prune_inbox
    ),
    JobSpec(
        "outbox_prune",
        "Prune sent outbox messages after 7 days, dead ones after 30",
        timedelta(hours=1),
        _prune_outbox,
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
    elapsed = time.perf_counter() - started
    duration_ms = int(elapsed * 1000)
    if ctx.metrics is not None:
        ctx.metrics.job_runs.labels(job=spec.name, result="failed" if failed else "ok").inc()
        ctx.metrics.job_duration.labels(job=spec.name).observe(elapsed)
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
