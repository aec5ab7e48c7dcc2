"""/readyz checks for messages out and periodic jobs (registered in `Readiness.extra_checks`).

- Outbox lag: the oldest message that is due but not sent has waited more than
  `READY_MAX_OUTBOX_LAG_S` (the sender is stuck, or far behind). Refreshes the outbox gauges.
- Jobs: a registered job has not run for three of its intervals. The `jobs` table is shared, so
  a run by any process counts; a job this process has not yet had three intervals to run is not
  held against it (a fresh start, or a database copied from yesterday).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from adsbot.adapters.clock import Clock
from adsbot.jobs.registry import JobSpec
from adsbot.services import outbox
from adsbot.storage.database import Database
from adsbot.storage.models import JobRun
from adsbot.web.metrics import Metrics
from adsbot.web.readiness import Check

MISSED_INTERVALS = 3


def outbox_lag_check(db: Database, clock: Clock, metrics: Metrics, max_lag_s: float) -> Check:
    async def check() -> str | None:
        depth, lag = await outbox.backlog(db, clock.now())
        metrics.outbox_depth.set(depth)
        metrics.outbox_lag.set(lag)
        if lag > max_lag_s:
            return f"outbox lag {lag:.0f}s over {max_lag_s:.0f}s"
        return None

    return check


def jobs_check(db: Database, clock: Clock, specs: Sequence[JobSpec]) -> Check:
    started = time.monotonic()

    async def check() -> str | None:
        up_for = time.monotonic() - started
        async with db.unit_of_work(read_only=True) as uow:
            rows = await uow.session.execute(select(JobRun.name, JobRun.last_run_at))
            last_runs: dict[str, Any] = {name: last for name, last in rows.all()}
        now = clock.now()
        late = []
        for spec in specs:
            allowed = spec.interval.total_seconds() * MISSED_INTERVALS
            if up_for <= allowed:
                continue
            last = last_runs.get(spec.name)
            if last is None or (now - last).total_seconds() > allowed:
                late.append(spec.name)
        if late:
            return f"jobs not run for {MISSED_INTERVALS} intervals: {', '.join(late)}"
        return None

    return check
