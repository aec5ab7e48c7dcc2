"""The inbox: every update is stored (deduplicated) before it is acknowledged, then handled.

Deduplication is by equality of `update_id` within 7 days: Telegram's ids restart at a random
value after a week without updates, so an older row with the same id is replaced, never a reason
to drop a new update.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from adsbot.storage.database import Database
from adsbot.storage.group_commit import GroupCommit
from adsbot.storage.models import InboxUpdate
from adsbot.storage.uow import UnitOfWork

DEDUP_WINDOW = timedelta(days=7)
PENDING, DONE, FAILED = "pending", "done", "failed"

StoreOutcome = Literal["stored", "duplicate", "invalid"]


@dataclass(frozen=True)
class StoredUpdate:
    id: int
    update_id: int
    ordering_key: int
    payload: dict[str, Any]


# The hot statements, built once with bound parameters and run as Core on the unit of work's
# connection: building an ORM statement and its cache key per call cost more than running it.
_inbox: Table = InboxUpdate.__table__  # type: ignore[assignment]
_INSERT_NEW = {
    name: module.insert(_inbox)
    .on_conflict_do_nothing(index_elements=["update_id"])
    .returning(_inbox.c.id)
    for name, module in (("sqlite", sqlite), ("postgresql", postgresql))
}
_RECEIVED_AT = select(_inbox.c.received_at).where(_inbox.c.update_id == bindparam("uid"))
_DELETE_BY_UPDATE_ID = delete(_inbox).where(_inbox.c.update_id == bindparam("uid"))
_FINISH = (
    update(_inbox)
    .where(_inbox.c.id == bindparam("row_id"), _inbox.c.status == PENDING)
    .values(status=bindparam("new_status"), done_at=bindparam("at"), error_ref=bindparam("ref"))
)

# What the group-committed writes take: (payload, received at) and (row id, now, error ref).
StoreItem = tuple[dict[str, Any], datetime]
FinishItem = tuple[int, datetime, str | None]


def is_update_shaped(body: object) -> bool:
    """A JSON object with an integer `update_id` (anything else is not stored)."""
    return (
        isinstance(body, dict)
        and isinstance(body.get("update_id"), int)
        and not isinstance(body.get("update_id"), bool)
    )


def ordering_key(payload: Mapping[str, Any]) -> int:
    """The update's user id, else its chat id, else its update id: one user's updates are
    handled in order; different users' concurrently."""
    for kind, body in payload.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        for holder in ("from", "user"):
            person = body.get(holder)
            if isinstance(person, dict) and isinstance(person.get("id"), int):
                return int(person["id"])
        chat = body.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        message = body.get("message")  # callback queries without `from` are not a thing, but
        if isinstance(message, dict):  # be generous with odd shapes
            chat = message.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
    return int(payload["update_id"])


async def store(
    db: Database, payload: dict[str, Any], now: datetime
) -> tuple[StoreOutcome, StoredUpdate | None]:
    """Store one update in its own unit of work; the outcome and, if stored, the row."""
    if not is_update_shaped(payload):
        return "invalid", None
    async with db.unit_of_work() as uow:
        outcome, row = await store_in(uow, (payload, now))
        await uow.commit()
    return outcome, row


async def store_in(uow: UnitOfWork, item: StoreItem) -> tuple[StoreOutcome, StoredUpdate | None]:
    """Store one update-shaped payload inside the caller's unit of work (never commits)."""
    payload, now = item
    update_id = int(payload["update_id"])
    key = ordering_key(payload)
    values: dict[str, Any] = {
        "update_id": update_id,
        "ordering_key": key,
        "payload": payload,
        "status": PENDING,
        "received_at": now,
    }
    connection = await uow.session.connection()
    # The common case is one statement: insert unless this update_id is already stored.
    row_id = await _insert_new(connection, values)
    if row_id is None:
        received_at = (await connection.execute(_RECEIVED_AT, {"uid": update_id})).scalar_one()
        if received_at > now - DEDUP_WINDOW:
            return "duplicate", None
        # Same id, but older than the window: Telegram restarted its sequence. Replace.
        await connection.execute(_DELETE_BY_UPDATE_ID, {"uid": update_id})
        row_id = await _insert_new(connection, values)
        assert row_id is not None
    return "stored", StoredUpdate(row_id, update_id, key, payload)


async def _insert_new(connection: AsyncConnection, values: dict[str, Any]) -> int | None:
    statement = _INSERT_NEW[connection.dialect.name]
    return (await connection.execute(statement, values)).scalar_one_or_none()


async def pending(db: Database, limit: int = 1000, after_id: int = 0) -> list[StoredUpdate]:
    """Rows not yet handled, oldest first (the replay at start-up)."""
    async with db.unit_of_work(read_only=True) as uow:
        rows = (
            await uow.session.execute(
                select(InboxUpdate)
                .where(InboxUpdate.status == PENDING, InboxUpdate.id > after_id)
                .order_by(InboxUpdate.id)
                .limit(limit)
            )
        ).scalars()
        return [StoredUpdate(r.id, r.update_id, r.ordering_key, r.payload) for r in rows]


async def finish(db: Database, row_id: int, now: datetime, error_ref: str | None = None) -> None:
    """Mark a row done, or failed with an error reference (failed rows are never replayed)."""
    async with db.unit_of_work() as uow:
        await finish_in(uow, (row_id, now, error_ref))
        await uow.commit()


async def finish_in(uow: UnitOfWork, item: FinishItem) -> None:
    """`finish` inside the caller's unit of work (never commits)."""
    row_id, now, error_ref = item
    connection = await uow.session.connection()
    await connection.execute(
        _FINISH,
        {
            "row_id": row_id,
            "new_status": FAILED if error_ref else DONE,
            "at": now,
            "ref": error_ref,
        },
    )


async def _write_in(
    uow: UnitOfWork, item: tuple[StoreItem | None, FinishItem | None]
) -> tuple[StoreOutcome, StoredUpdate | None] | None:
    store_item, finish_item = item
    if store_item is not None:
        return await store_in(uow, store_item)
    assert finish_item is not None
    await finish_in(uow, finish_item)
    return None


class InboxWriter:
    """The inbox's two hot writes (store on arrival, finish after handling) with group commit,
    for the webhook and the worker: under load, the updates arriving and the updates finished
    meanwhile share one transaction. Each caller returns only after its row committed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._writes: GroupCommit[
            tuple[StoreItem | None, FinishItem | None],
            tuple[StoreOutcome, StoredUpdate | None] | None,
        ] = GroupCommit(db, _write_in)

    async def store(
        self, payload: dict[str, Any], now: datetime
    ) -> tuple[StoreOutcome, StoredUpdate | None]:
        if not is_update_shaped(payload):
            return "invalid", None
        result = await self._writes.submit(((payload, now), None))
        assert result is not None
        return result

    async def finish(self, row_id: int, now: datetime, error_ref: str | None = None) -> None:
        await self._writes.submit((None, (row_id, now, error_ref)))


async def lag(db: Database, now: datetime) -> tuple[int, float]:
    """(pending rows, age in seconds of the oldest pending row)."""
    async with db.unit_of_work(read_only=True) as uow:
        count, oldest = (
            await uow.session.execute(
                select(func.count(), func.min(InboxUpdate.received_at)).where(
                    InboxUpdate.status == PENDING
                )
            )
        ).one()
    if not count or oldest is None:
        return 0, 0.0
    oldest_aware = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
    return int(count), max(0.0, (now - oldest_aware).total_seconds())


async def prune(db: Database, now: datetime) -> int:
    """Delete handled rows older than the deduplication window."""
    async with db.unit_of_work() as uow:
        result = await uow.session.execute(
            delete(InboxUpdate).where(
                InboxUpdate.status != PENDING, InboxUpdate.received_at < now - DEDUP_WINDOW
            )
        )
        await uow.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
