"""Deadlines as rows: `timers(kind, ref_id, due_at, ...)`, one per (kind, ref_id).

Sweepers claim due rows with a lease (`claim_due`), run the kind's handler, then mark them done.
A lease that expires without completion means the sweeper died: the timer is claimed again, except
for kinds registered `no_retry` (posting an ad: a second run could post twice), which are closed
with outcome `stuck` and sent to the admins instead. Every query takes `now` from the caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adsbot.storage.database import Database
from adsbot.storage.models import Timer
from adsbot.storage.uow import UnitOfWork

DONE, CANCELLED, STUCK, FAILED = "done", "cancelled", "stuck", "failed"


@dataclass(frozen=True)
class ClaimedTimer:
    id: int
    kind: str
    ref_id: int
    due_at: datetime
    attempts: int


# A handler gets the sweeper's context (adsbot.jobs.registry.JobContext) and the timer. It must
# be idempotent: a retried timer runs it again.
Handler = Callable[[Any, ClaimedTimer], Awaitable[None]]


@dataclass(frozen=True)
class TimerKind:
    name: str
    handler: Handler
    no_retry: bool = False
    max_attempts: int = 5


class TimerKinds:
    """The kinds a sweeper knows. Rows of other kinds are left alone (another version of the bot
    may know them)."""

    def __init__(self) -> None:
        self._kinds: dict[str, TimerKind] = {}

    def register(
        self, name: str, handler: Handler, *, no_retry: bool = False, max_attempts: int = 5
    ) -> TimerKind:
        if len(name) > 48:
            raise ValueError("timer kind names have at most 48 characters")
        kind = TimerKind(name, handler, no_retry, max_attempts)
        self._kinds[name] = kind
        return kind

    def get(self, name: str) -> TimerKind | None:
        return self._kinds.get(name)

    @property
    def names(self) -> list[str]:
        return sorted(self._kinds)

    @property
    def no_retry_names(self) -> list[str]:
        return sorted(name for name, kind in self._kinds.items() if kind.no_retry)


# The application's kinds; feature modules register theirs at import.
KINDS = TimerKinds()


async def schedule(
    uow: UnitOfWork, kind: str, ref_id: int, due_at: datetime, *, now: datetime
) -> None:
    """Set the deadline (kind, ref_id) inside the caller's unit of work.

    Scheduling again moves a pending timer's deadline; a finished timer stays finished.
    """
    dialect = (await uow.session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Timer).values(
        kind=kind, ref_id=ref_id, due_at=due_at, attempts=0, created_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "ref_id"],
        set_={"due_at": statement.excluded.due_at},
        where=Timer.done_at.is_(None),
    )
    await uow.session.execute(statement)


async def cancel(uow: UnitOfWork, kind: str, ref_id: int, *, now: datetime) -> bool:
    """Close a pending timer without running it; False if it was already finished."""
    result = await uow.session.execute(
        update(Timer)
        .where(Timer.kind == kind, Timer.ref_id == ref_id, Timer.done_at.is_(None))
        .values(done_at=now, outcome=CANCELLED, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _lease_free(now: datetime) -> Any:
    return or_(Timer.claimed_until.is_(None), Timer.claimed_until < now)


async def close_stuck(uow: UnitOfWork, now: datetime, kinds: list[str]) -> list[ClaimedTimer]:
    """No-retry timers whose lease expired unfinished: close them as `stuck` (the caller tells
    the admins in the same unit of work)."""
    if not kinds:
        return []
    statement = (
        update(Timer)
        .where(
            Timer.done_at.is_(None),
            Timer.due_at <= now,  # a claimed timer was due: keeps this on the due index
            Timer.kind.in_(kinds),
            Timer.attempts >= 1,
            Timer.claimed_until < now,
        )
        .values(done_at=now, outcome=STUCK, claimed_until=None)
        .returning(Timer.id, Timer.kind, Timer.ref_id, Timer.due_at, Timer.attempts)
        .execution_options(synchronize_session=False)
    )
    return [ClaimedTimer(*row) for row in (await uow.session.execute(statement)).all()]


async def claim(
    uow: UnitOfWork,
    now: datetime,
    worker_id: str,
    kinds: TimerKinds,
    *,
    limit: int,
    lease: timedelta,
) -> list[ClaimedTimer]:
    """Lease up to `limit` due timers of known kinds, earliest first.

    `FOR UPDATE SKIP LOCKED` lets PostgreSQL sweepers take disjoint rows; on SQLite it compiles
    to nothing and the BEGIN IMMEDIATE transaction serialises claims. The outer conditions are
    repeated so a row claimed meanwhile is never claimed twice.
    """
    names = kinds.names
    if not names:
        return []
    claimable = and_(
        Timer.done_at.is_(None),
        Timer.due_at <= now,
        Timer.kind.in_(names),
        _lease_free(now),
        # A no-retry timer is claimed once; after that only close_stuck may touch it.
        or_(Timer.attempts == 0, Timer.kind.not_in(kinds.no_retry_names or [""])),
    )
    due = (
        select(Timer.id)
        .where(claimable)
        .order_by(Timer.due_at, Timer.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        # MATERIALIZED: PostgreSQL may otherwise re-run a sub-select inside `IN (...)`, and each
        # run skips different locked rows, claiming more than `limit` (seen in tests).
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    statement = (
        update(Timer)
        .where(Timer.id.in_(select(due.c.id)), claimable)
        .values(claimed_by=worker_id, claimed_until=now + lease, attempts=Timer.attempts + 1)
        .returning(Timer.id, Timer.kind, Timer.ref_id, Timer.due_at, Timer.attempts)
        .execution_options(synchronize_session=False)
    )
    claimed = [ClaimedTimer(*row) for row in (await uow.session.execute(statement)).all()]
    claimed.sort(key=lambda timer: (timer.due_at, timer.id))
    return claimed


async def claim_due(
    db: Database,
    now: datetime,
    worker_id: str,
    limit: int,
    kinds: TimerKinds | None = None,
    lease: timedelta = timedelta(minutes=5),
) -> list[ClaimedTimer]:
    """`claim` in its own unit of work (tests and benchmarks; the sweeper also closes stuck
    no-retry timers in the same transaction)."""
    async with db.unit_of_work() as uow:
        claimed = await claim(uow, now, worker_id, kinds or KINDS, limit=limit, lease=lease)
        await uow.commit()
    return claimed


async def complete(
    db: Database, worker_id: str, timer_ids: list[int], now: datetime, outcome: str = DONE
) -> int:
    """Mark timers this worker still holds as finished (one statement for a whole batch);
    returns how many were. A timer whose lease was lost is left to its new holder."""
    if not timer_ids:
        return 0
    async with db.unit_of_work() as uow:
        result = await uow.session.execute(
            update(Timer)
            .where(Timer.id.in_(timer_ids), Timer.claimed_by == worker_id, Timer.done_at.is_(None))
            .values(done_at=now, outcome=outcome, claimed_until=None, last_error=None)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def release(
    uow: UnitOfWork, worker_id: str, timer: ClaimedTimer, retry_at: datetime, error: str
) -> None:
    """A retryable failure: free the lease and try again at `retry_at`."""
    await uow.session.execute(
        update(Timer)
        .where(Timer.id == timer.id, Timer.claimed_by == worker_id, Timer.done_at.is_(None))
        .values(claimed_until=None, due_at=retry_at, last_error=error[:500])
        .execution_options(synchronize_session=False)
    )


async def unclaim(uow: UnitOfWork, worker_id: str, timer: ClaimedTimer, note: str) -> None:
    """Give back a claimed timer that did not run: as if never claimed (no attempt used, so a
    no-retry timer is claimable again)."""
    await uow.session.execute(
        update(Timer)
        .where(Timer.id == timer.id, Timer.claimed_by == worker_id, Timer.done_at.is_(None))
        .values(claimed_by=None, claimed_until=None, attempts=Timer.attempts - 1, last_error=note)
        .execution_options(synchronize_session=False)
    )


async def finish_failed(
    uow: UnitOfWork, worker_id: str, timer: ClaimedTimer, now: datetime, outcome: str, error: str
) -> bool:
    """Close a timer that will not run again (`failed` after its attempts, `stuck`)."""
    result = await uow.session.execute(
        update(Timer)
        .where(Timer.id == timer.id, Timer.claimed_by == worker_id, Timer.done_at.is_(None))
        .values(done_at=now, outcome=outcome, claimed_until=None, last_error=error[:500])
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def pending_count(db: Database) -> int:
    async with db.unit_of_work(read_only=True) as uow:
        statement = select(func.count()).where(Timer.done_at.is_(None))
        return int((await uow.session.execute(statement)).scalar_one())
