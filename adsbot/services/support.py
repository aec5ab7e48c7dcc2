"""/support: a user's message relayed to the admins through the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete

from adsbot.services import audit
from adsbot.services.outbox import Lane, enqueue
from adsbot.storage.database import Database
from adsbot.storage.models import ConversationState

MAX_RELAYED_CHARACTERS = 3000  # room for the header inside Telegram's 4,096


async def relay_to_admins(
    db: Database,
    *,
    user_id: int,
    name: str,
    username: str | None,
    text: str,
    admin_ids: Iterable[int],
    now: datetime,
) -> int:
    """Queue the message for every admin and end the user's support step, in one unit of work.

    Returns how many admins it was queued for (0: no admins configured; nothing is queued).
    """
    admins = sorted(set(admin_ids))
    body = text[:MAX_RELAYED_CHARACTERS]
    async with db.unit_of_work() as uow:
        for admin_id in admins:
            params = {"name": name, "user_id": user_id, "username": username or "—", "text": body}
            await enqueue(
                uow, admin_id, "support.to_admin", params, now=now, lane=Lane.TRANSACTIONAL
            )
        await uow.session.execute(
            delete(ConversationState).where(ConversationState.user_id == user_id)
        )
        audit.record(
            uow, user_id, "support.message", f"user:{user_id}", {"admins": len(admins)}, now
        )
        await uow.commit()
    return len(admins)
