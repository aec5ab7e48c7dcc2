"""Conversation state: what the bot waits for from each user, kept in the database.

One row per user (`conversation_states`), with an expiry, so a restart or a second worker sees the
same conversation. `kind` names the step (`settings.tz`, `support.message`, `admin.suspend.who`);
`data` carries what earlier steps collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, select

from adsbot.storage.database import Database
from adsbot.storage.models import ConversationState
from adsbot.storage.uow import UnitOfWork

DEFAULT_TTL = timedelta(minutes=30)

_states: Table = ConversationState.__table__  # type: ignore[assignment]
# Prebuilt: /start runs it on every call, inside the user refresh.
_FORGET = delete(_states).where(_states.c.user_id == bindparam("uid"))


@dataclass(frozen=True)
class State:
    kind: str
    expires_at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now


async def begin(
    db: Database,
    user_id: int,
    kind: str,
    now: datetime,
    data: dict[str, Any] | None = None,
    ttl: timedelta = DEFAULT_TTL,
) -> State:
    """Wait for `kind` from the user (replacing whatever was awaited before)."""
    state = State(kind=kind, expires_at=now + ttl, data=dict(data or {}))
    async with db.unit_of_work() as uow:
        row = await uow.session.get(ConversationState, user_id)
        if row is None:
            row = ConversationState(user_id=user_id)
            uow.session.add(row)
        row.kind = state.kind
        row.data = state.data
        row.expires_at = state.expires_at
        row.updated_at = now
        await uow.commit()
    return state


async def current(db: Database, user_id: int) -> State | None:
    """What the bot waits for from the user, expired or not (the caller tells them if it is)."""
    async with db.unit_of_work(read_only=True) as uow:
        row = (
            await uow.session.execute(
                select(ConversationState).where(ConversationState.user_id == user_id)
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        return State(kind=row.kind, expires_at=row.expires_at, data=dict(row.data or {}))


async def clear(db: Database, user_id: int) -> bool:
    """Forget what the bot waited for; True if there was something."""
    async with db.unit_of_work() as uow:
        forgotten = await forget_in(uow, user_id)
        await uow.commit()
        return forgotten


async def forget_in(uow: UnitOfWork, user_id: int) -> bool:
    """`clear` inside the caller's unit of work (never commits): a change that answers a step
    ends it in the same transaction. True if there was something."""
    result = await (await uow.session.connection()).execute(_FORGET, {"uid": user_id})
    return bool(result.rowcount)
