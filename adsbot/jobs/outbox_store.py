"""The sender's database side: claim due rows with a lease, record what happened to them.

A claim is one statement: `UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)
RETURNING ...`. On PostgreSQL the SKIP LOCKED sub-select lets several senders take disjoint
batches without waiting; on SQLite `FOR UPDATE` compiles to nothing and the write transaction
(BEGIN IMMEDIATE) makes the conditional update atomic. The lease means a crashed sender's rows
come back after `lease`: at most that batch is sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, or_, select, update

from adsbot.services.outbox import DEAD, PENDING, SENT, SKIPPED
from adsbot.storage.database import Database
from adsbot.storage.models import OutboxMessage, User


@dataclass(frozen=True)
class ClaimedMessage:
    id: int
    lane: int
    chat_id: int
    template_key: str
    params: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Recipient:
    language: str
    unreachable: bool
    muted: frozenset[str] = frozenset()


# What happened to a claimed row; `record` turns it into an UPDATE.
@dataclass(frozen=True)
class Sent:
    message_id: int


@dataclass(frozen=True)
class Retry:
    """Not sent; try again at `at`. `counts` says whether this was a failed attempt (5xx,
    timeout) or just a wait (pacing, 429, a global pause)."""

    at: datetime
    error: str | None = None
    counts: bool = False


@dataclass(frozen=True)
class Dead:
    error: str


@dataclass(frozen=True)
class Skipped:
    reason: str


@dataclass(frozen=True)
class Blocked:
    """The user blocked the bot: the row is skipped and the user marked unreachable."""


Outcome = Sent | Retry | Dead | Skipped | Blocked

_outbox: Table = OutboxMessage.__table__  # type: ignore[assignment]
# Almost every outcome is "sent": one prebuilt statement, run once per batch as an executemany
# (one UPDATE built per row cost ~1 ms each, the longest pause between batches).
# bindparam names must differ from column names in an UPDATE.
_MARK_SENT = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("row_id"), _outbox.c.status == PENDING)
    .values(
        status=SENT,
        sent_at=bindparam("at"),
        message_id=bindparam("sent_message_id"),
        attempts=bindparam("new_attempts"),
        last_error=None,
        claimed_by=None,
        claimed_until=None,
    )
)


def _claimable(now: datetime) -> Any:
    return and_(
        OutboxMessage.status == PENDING,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


async def claim(
    db: Database, now: datetime, worker_id: str, limit: int, lease: timedelta
) -> list[ClaimedMessage]:
    """Lease up to `limit` due rows, transactional lane first, oldest due first."""
    due = (
        select(OutboxMessage.id)
        .where(_claimable(now))
        .order_by(OutboxMessage.lane, OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        # MATERIALIZED: PostgreSQL may otherwise re-run a sub-select inside `IN (...)`, and each
        # run skips different locked rows, claiming more than `limit` (seen in tests).
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(select(due.c.id)), _claimable(now))
        .values(claimed_by=worker_id, claimed_until=now + lease)
        .returning(
            OutboxMessage.id,
            OutboxMessage.lane,
            OutboxMessage.chat_id,
            OutboxMessage.template_key,
            OutboxMessage.params,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    async with db.unit_of_work() as uow:
        rows = (await uow.session.execute(statement)).all()
        await uow.commit()
    claimed = [ClaimedMessage(*row) for row in rows]
    claimed.sort(key=lambda m: (m.lane, m.id))
    return claimed


async def recipients(db: Database, chat_ids: set[int], default: str) -> dict[int, Recipient]:
    """Language and reachability of each private chat's user (groups get the default)."""
    found = {chat_id: Recipient(default, False) for chat_id in chat_ids}
    users = [chat_id for chat_id in chat_ids if chat_id > 0]
    if not users:
        return found
    async with db.unit_of_work(read_only=True) as uow:
        rows = await uow.session.execute(
            select(User.id, User.language, User.unreachable_since, User.muted_categories).where(
                User.id.in_(users)
            )
        )
        for user_id, language, unreachable_since, muted in rows:
            found[user_id] = Recipient(
                language or default, unreachable_since is not None, frozenset(muted or ())
            )
    return found


def _values(outcome: Retry | Dead | Skipped | Blocked, attempts: int) -> dict[str, Any]:
    released = {"claimed_by": None, "claimed_until": None}
    if isinstance(outcome, Retry):
        values: dict[str, Any] = {**released, "next_attempt_at": outcome.at}
        if outcome.counts:
            values["attempts"] = attempts + 1
        if outcome.error is not None:
            values["last_error"] = outcome.error[:500]
        return values
    if isinstance(outcome, Dead):
        return {**released, "status": DEAD, "attempts": attempts + 1, "last_error": outcome.error}
    reason = "blocked" if isinstance(outcome, Blocked) else outcome.reason
    return {**released, "status": SKIPPED, "last_error": reason}


async def record(
    db: Database, worker_id: str, now: datetime, results: list[tuple[ClaimedMessage, Outcome]]
) -> None:
    """Write a batch's outcomes in one unit of work.

    A sent row is marked sent whoever holds its lease now (a late mark still prevents a third
    send); any other outcome only touches rows this worker still holds.
    """
    if not results:
        return
    sent = [
        {
            "row_id": message.id,
            "at": now,
            "sent_message_id": outcome.message_id,
            "new_attempts": message.attempts + 1,
        }
        for message, outcome in results
        if isinstance(outcome, Sent)
    ]
    async with db.unit_of_work() as uow:
        if sent:
            await (await uow.session.connection()).execute(_MARK_SENT, sent)
        for message, outcome in results:
            if isinstance(outcome, Sent):
                continue
            await uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == worker_id)
                .values(**_values(outcome, message.attempts))
                .execution_options(synchronize_session=False)
            )
            if isinstance(outcome, Blocked):
                await uow.session.execute(
                    update(User)
                    .where(User.id == message.chat_id, User.unreachable_since.is_(None))
                    .values(unreachable_since=now)
                    .execution_options(synchronize_session=False)
                )
        await uow.commit()


async def hold_chat(db: Database, chat_id: int, until: datetime) -> None:
    """After a 429: no row for this chat is due before `until` (seen by every sender)."""
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.status == PENDING,
                OutboxMessage.next_attempt_at < until,
            )
            .values(next_attempt_at=until)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
