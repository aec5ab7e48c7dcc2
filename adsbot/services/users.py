"""Users: registration at first contact, refresh on every contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from adsbot.bot.i18n import match_language
from adsbot.storage.database import Database
from adsbot.storage.models import User


@dataclass(frozen=True)
class TelegramPerson:
    """What Telegram tells us about a user (decoupled from PTB's classes)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class UserView:
    id: int
    first_name: str
    language: str
    time_zone: str
    created: bool
    suspended_until: datetime | None
    suspension_reason: str | None


async def register_or_refresh(
    db: Database,
    person: TelegramPerson,
    now: datetime,
    default_timezone: str,
    default_language: str,
) -> UserView:
    """Create the user at first contact (language from Telegram), else refresh names and
    last-seen. The language is only ever set here at first contact, then only by the user."""
    async with db.unit_of_work() as uow:
        user = (
            await uow.session.execute(select(User).where(User.id == person.id))
        ).scalar_one_or_none()
        created = user is None
        if user is None:
            user = User(
                id=person.id,
                language=match_language(person.language_code, default_language),
                time_zone=default_timezone,
                muted_categories=[],
                is_demo=False,
                created_at=now,
            )
            uow.session.add(user)
        user.first_name = person.first_name[:128]
        user.last_name = person.last_name[:128] if person.last_name else None
        user.username = person.username
        user.last_seen_at = now
        user.unreachable_since = None  # they wrote to us: reachable again
        await uow.commit()
        return UserView(
            id=user.id,
            first_name=user.first_name,
            language=user.language,
            time_zone=user.time_zone,
            created=created,
            suspended_until=user.suspended_until,
            suspension_reason=user.suspension_reason,
        )
