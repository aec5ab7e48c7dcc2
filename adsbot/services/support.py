"""/support: a user's message relayed to the admins through the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from adsbot.services import audit
from adsbot.services.outbox import Lane, enqueue
from adsbot.storage.database import Database
from adsbot.storage.models import AuditLog, ConversationState

MAX_RELAYED_CHARACTERS = 3000  # room for the header inside Telegram's 4,096
# At most this many messages to the admins per user in the window (flood control alone would
# let about one every second through, each to every admin).
RELAYS_PER_WINDOW, RELAY_WINDOW = 3, timedelta(minutes=10)


class TooManyRelays(Exception):
    """The user already wrote to the admins RELAYS_PER_WINDOW times in RELAY_WINDOW."""


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
    Raises TooManyRelays (nothing written) past RELAYS_PER_WINDOW in RELAY_WINDOW.
    """
    admins = sorted(set(admin_ids))
    body = text[:MAX_RELAYED_CHARACTERS]
    async with db.unit_of_work() as uow:
        recent = (
            await uow.session.execute(
                select(func.count()).where(
                    AuditLog.actor_id == user_id,
                    AuditLog.action == "support.message",
                    AuditLog.created_at > now - RELAY_WINDOW,
                )
            )
        ).scalar_one()
        if recent >= RELAYS_PER_WINDOW:
            raise TooManyRelays
        for admin_id in admins:
            handle = f", @{username}" if username else ""
            params = {"name": name, "user_id": user_id, "handle": handle, "text": body}
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
