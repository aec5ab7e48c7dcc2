"""/support: a user's message relayed to the admins, and an admin's answer relayed back, both
through the outbox."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from adsbot.services import audit, conversation
from adsbot.services.outbox import MARKUP_PARAM, Lane, enqueue
from adsbot.storage.database import Database
from adsbot.storage.models import AuditLog, User

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
    reply_markups: Mapping[str, dict[str, Any]] | None = None,
) -> int:
    """Queue the message for every admin and end the user's support step, in one unit of work.

    `reply_markups`: the keyboard under each relayed copy, by language (the admin's own, else
    the first given).

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
        rows = await uow.session.execute(select(User.id, User.language).where(User.id.in_(admins)))
        languages = {admin_id: language for admin_id, language in rows}
        handle = f", @{username}" if username else ""
        fallback = next(iter(reply_markups.values())) if reply_markups else None
        for admin_id in admins:
            params: dict[str, Any] = {
                "name": name,
                "user_id": user_id,
                "handle": handle,
                "text": body,
            }
            if reply_markups:
                params[MARKUP_PARAM] = reply_markups.get(languages.get(admin_id) or "", fallback)
            await enqueue(
                uow, admin_id, "support.to_admin", params, now=now, lane=Lane.TRANSACTIONAL
            )
        await conversation.forget_in(uow, user_id)
        audit.record(
            uow, user_id, "support.message", f"user:{user_id}", {"admins": len(admins)}, now
        )
        await uow.commit()
    return len(admins)


async def answer_user(
    db: Database, *, admin_id: int, user_id: int, text: str, now: datetime
) -> str | None:
    """Queue an admin's answer to a user who wrote to support, audited, and end the admin's
    answer step, in one unit of work. The user's first name, or None (nothing queued) if the
    user is unknown."""
    async with db.unit_of_work() as uow:
        name = (
            await uow.session.execute(select(User.first_name).where(User.id == user_id))
        ).scalar_one_or_none()
        if name is not None:
            body = {"text": text[:MAX_RELAYED_CHARACTERS]}
            await enqueue(uow, user_id, "support.answer", body, now=now, lane=Lane.TRANSACTIONAL)
            audit.record(uow, admin_id, "support.answer", f"user:{user_id}", {}, now)
        await conversation.forget_in(uow, admin_id)
        await uow.commit()
    return name
