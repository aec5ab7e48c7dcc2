"""Whether the bot can write to a user: the outbox marks them unreachable when Telegram says they
blocked the bot; anything they send us (or unblocking, a `my_chat_member` update) clears it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from adsbot.storage.database import Database
from adsbot.storage.models import User


async def mark_reachable(db: Database, user_id: int) -> bool:
    """Clear `unreachable_since`; True if it was set. Reads first, so the common case (already
    reachable) costs no write transaction."""
    async with db.unit_of_work(read_only=True) as uow:
        since = (
            await uow.session.execute(select(User.unreachable_since).where(User.id == user_id))
        ).scalar_one_or_none()
    if since is None:
        return False
    async with db.unit_of_work() as uow:
        result = await uow.session.execute(
            update(User)
            .where(User.id == user_id, User.unreachable_since.is_not(None))
            .values(unreachable_since=None)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_unreachable(db: Database, user_id: int, now: datetime) -> bool:
    """Set `unreachable_since` (kept at the first time we noticed)."""
    async with db.unit_of_work() as uow:
        result = await uow.session.execute(
            update(User)
            .where(User.id == user_id, User.unreachable_since.is_(None))
            .values(unreachable_since=now)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]
