"""`from adsbot.bot import scheduler; scheduler.get_jobs()` (the staging plan's step 6.4).

Synchronous and usable from any process: the registered jobs merged with their last recorded
run in the `jobs` table (next_run_time is None for a job that has never run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import inspect, select

from adsbot.jobs.registry import JOBS
from adsbot.storage.models import JobRun


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    name: str
    interval_seconds: int
    next_run_time: datetime | None
    last_run_time: datetime | None
    last_result: str | None


def get_jobs() -> list[ScheduledJob]:
    from adsbot import db

    recorded: dict[str, JobRun] = {}
    if inspect(db.engine).has_table(JobRun.__tablename__):
        with db.get_session() as session:
            recorded = {row.name: row for row in session.execute(select(JobRun)).scalars()}
    jobs = []
    for spec in JOBS:
        row = recorded.get(spec.name)
        jobs.append(
            ScheduledJob(
                id=spec.name,
                name=spec.title,
                interval_seconds=int(spec.interval.total_seconds()),
                next_run_time=row.next_run_at if row else None,
                last_run_time=row.last_run_at if row else None,
                last_result=row.last_result if row else None,
            )
        )
    return jobs
