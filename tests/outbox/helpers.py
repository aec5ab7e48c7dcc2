"""Small helpers for outbox tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from adsbot.services import outbox
from adsbot.services.outbox import Lane
from adsbot.storage.database import Database
from adsbot.storage.models import OutboxMessage, User


async def queue(
    db: Database,
    chat_ids: list[int],
    *,
    now: datetime,
    key: str = "notify.broadcast",
    params: dict[str, Any] | None = None,
    lane: Lane = Lane.TRANSACTIONAL,
) -> None:
    """One message per chat, each with its own text (`#<n>`) so duplicates can be counted."""
    async with db.unit_of_work() as uow:
        for n, chat_id in enumerate(chat_ids):
            values = params if params is not None else {"text": f"#{n} to {chat_id}"}
            await outbox.enqueue(uow, chat_id, key, values, now=now, lane=lane)
        await uow.commit()


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.unit_of_work(read_only=True) as uow:
        result = await uow.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        return list(result.scalars())


async def user(db: Database, user_id: int) -> User:
    async with db.unit_of_work(read_only=True) as uow:
        return (await uow.session.execute(select(User).where(User.id == user_id))).scalar_one()
