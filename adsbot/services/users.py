"""Users: registration at first contact, refresh on every contact, preferences, suspension."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import Row, Table, bindparam, func, or_, select, update

from adsbot.bot.i18n import LANGUAGES, match_language
from adsbot.domain.notifications import MUTABLE_CATEGORIES
from adsbot.services import audit, conversation, outbox
from adsbot.storage.database import Database
from adsbot.storage.models import User
from adsbot.storage.uow import UnitOfWork

# A suspended user is told why at most this often.
SUSPENSION_NOTICE_EVERY = timedelta(hours=1)
_USERNAME = re.compile(r"^@?([A-Za-z0-9_]{4,32})$")
# ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
_USER_ID = re.compile(r"-?\d{1,19}", re.ASCII)
# SQLite integers are signed 64-bit; a larger id would raise OverflowError in the driver.
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


# In the system's tz database but no place a user lives: `localtime` is the server's own zone,
# `Factory` a placeholder; the POSIX aliases (`EST`, `CET`, ...) have no slash either.
_NOT_A_PLACE = frozenset({"localtime", "Factory", "posixrules"})


@cache
def _zones() -> frozenset[str]:
    return frozenset(
        zone
        for zone in available_timezones()
        if ("/" in zone or zone == "UTC")
        and zone not in _NOT_A_PLACE
        and not zone.startswith(("posix/", "right/"))
    )


def valid_time_zone(name: str) -> bool:
    """An IANA zone name of a place (`Europe/Rome`) or `UTC`; never a path, an alias or a
    guess."""
    return name in _zones()


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
    username: str | None = None
    muted_categories: tuple[str, ...] = ()
    unreachable: bool = False

    def is_suspended(self, now: datetime) -> bool:
        return self.suspended_until is not None and self.suspended_until > now


class UserNotFound(LookupError):
    """No user with that id or @username has ever written to the bot."""


class CannotSuspend(ValueError):
    """The target may not be suspended (an admin, or the actor themselves)."""


_users: Table = User.__table__  # type: ignore[assignment]
_SELECT_USER = select(_users).where(_users.c.id == bindparam("uid"))
# bindparam names must differ from column names in an UPDATE.
# Every write of a username also writes last_seen_at: of two rows holding one username (it
# passed to someone else), the newer report is the current holder (`find`).
_NAMES_NOW: dict[str, Any] = {
    "first_name": bindparam("new_first_name"),
    "last_name": bindparam("new_last_name"),
    "username": bindparam("new_username"),
    "last_seen_at": bindparam("seen"),
}
_RENAME_USER = (
    update(_users).where(_users.c.id == bindparam("uid")).values(**_NAMES_NOW).returning(*_users.c)
)
_REFRESH_USER = (
    update(_users)
    .where(_users.c.id == bindparam("uid"))
    .values(**_NAMES_NOW, unreachable_since=None)  # they wrote to us: reachable again
    .returning(*_users.c)
)


def _view(user: User | Row[Any], created: bool = False) -> UserView:
    """A user as handlers see it, from a mapped User or a Core row of the users table."""
    return UserView(
        id=user.id,
        first_name=user.first_name,
        language=user.language,
        time_zone=user.time_zone,
        created=created,
        suspended_until=user.suspended_until,
        suspension_reason=user.suspension_reason,
        username=user.username,
        muted_categories=tuple(user.muted_categories or ()),
        unreachable=user.unreachable_since is not None,
    )


async def _load(uow: UnitOfWork, user_id: int) -> User | None:
    found: User | None = (
        await uow.session.execute(select(User).where(User.id == user_id))
    ).scalar_one_or_none()
    return found


def _reported(person: TelegramPerson) -> tuple[str, str | None, str | None]:
    """First name, last name and @username as we store them (names cut to the column size)."""
    last_name = person.last_name[:128] if person.last_name else None
    return person.first_name[:128], last_name, person.username


def _new_user(person: TelegramPerson, now: datetime, zone: str, language: str) -> User:
    first_name, last_name, username = _reported(person)
    return User(
        id=person.id,
        first_name=first_name,
        last_name=last_name,
        username=username,
        language=match_language(person.language_code, language),
        time_zone=zone,
        muted_categories=[],
        is_demo=False,
        created_at=now,
        last_seen_at=now,
    )


async def register_or_refresh(
    db: Database,
    person: TelegramPerson,
    now: datetime,
    default_timezone: str,
    default_language: str,
    *,
    forget_conversation: bool = False,
) -> UserView:
    """Create the user at first contact (language from Telegram), else refresh names and
    last-seen. The language is only ever set here at first contact, then only by the user.
    `forget_conversation` also drops what the bot waited for (/start), in the same unit of work."""
    async with db.unit_of_work() as uow:
        if forget_conversation:
            await conversation.forget_in(uow, person.id)
        # One prebuilt Core UPDATE … RETURNING is the whole refresh when the user exists (the
        # common case); building an ORM statement per call cost more than running it.
        connection = await uow.session.connection()
        refreshed = (await connection.execute(_REFRESH_USER, _names(person, now))).one_or_none()
        if refreshed is not None:
            await uow.commit()
            return _view(refreshed)
        user = _new_user(person, now, default_timezone, default_language)
        uow.session.add(user)
        await uow.commit()
        return _view(user, created=True)


async def ensure(
    db: Database,
    person: TelegramPerson,
    now: datetime,
    default_timezone: str,
    default_language: str,
) -> UserView:
    """The user as stored; created at first contact. A read on every later update, a write
    only the first time and when Telegram reports a new name or @username (an admin finds
    users by their current @username)."""
    async with db.unit_of_work(read_only=True) as uow:
        connection = await uow.session.connection()
        row = (await connection.execute(_SELECT_USER, {"uid": person.id})).one_or_none()
    if row is None:
        return await register_or_refresh(db, person, now, default_timezone, default_language)
    if (row.first_name, row.last_name, row.username) == _reported(person):
        return _view(row)
    async with db.unit_of_work() as uow:
        connection = await uow.session.connection()
        renamed = (await connection.execute(_RENAME_USER, _names(person, now))).one_or_none()
        await uow.commit()
    if renamed is None:  # gone since the read
        return await register_or_refresh(db, person, now, default_timezone, default_language)
    return _view(renamed)


def _names(person: TelegramPerson, now: datetime) -> dict[str, Any]:
    """The bound parameters of a refresh: names as Telegram reports them `now`."""
    first_name, last_name, username = _reported(person)
    return {
        "uid": person.id,
        "seen": now,
        "new_first_name": first_name,
        "new_last_name": last_name,
        "new_username": username,
    }


async def get(db: Database, user_id: int) -> UserView | None:
    async with db.unit_of_work(read_only=True) as uow:
        user = await _load(uow, user_id)
        return _view(user) if user is not None else None


async def find(db: Database, reference: str) -> UserView:
    """A user by numeric id or @username (case-insensitive)."""
    text = reference.strip()
    async with db.unit_of_work(read_only=True) as uow:
        if _USER_ID.fullmatch(text) and _INT64_MIN <= int(text) <= _INT64_MAX:
            user = await _load(uow, int(text))
        elif match := _USERNAME.match(text):
            # Telegram usernames are unique at any moment, but one can pass to someone else
            # before the old holder writes to us again: the newest report of it wins.
            query = (
                select(User)
                .where(func.lower(User.username) == match[1].lower())
                .order_by(User.last_seen_at.desc(), User.id.desc())
                .limit(1)
            )
            user = (await uow.session.execute(query)).scalar_one_or_none()
        else:
            user = None
        if user is None:
            raise UserNotFound(text)
        return _view(user)


async def _change(
    db: Database, user_id: int, *, end_step: bool = False, **values: object
) -> UserView:
    async with db.unit_of_work() as uow:
        user = await _load(uow, user_id)
        if user is None:
            raise UserNotFound(str(user_id))
        for name, value in values.items():
            setattr(user, name, value)
        if end_step:
            await conversation.forget_in(uow, user_id)
        await uow.commit()
        return _view(user)


async def set_language(db: Database, user_id: int, language: str) -> UserView:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    return await _change(db, user_id, language=language)


async def set_time_zone(db: Database, user_id: int, zone: str) -> UserView:
    """Set the zone; it answers the typed-zone step too, so that step ends with it."""
    if not valid_time_zone(zone):
        raise ValueError(f"unknown time zone {zone!r}")
    return await _change(db, user_id, end_step=True, time_zone=zone)


async def set_muted(db: Database, user_id: int, category: str, muted: bool) -> UserView:
    """Mute or unmute the category. Setting (not toggling) makes a press on an older screen,
    or the same press handled twice, do what its label said."""
    if category not in MUTABLE_CATEGORIES:
        raise ValueError(f"unknown notification category {category!r}")
    async with db.unit_of_work() as uow:
        user = await _load(uow, user_id)
        if user is None:
            raise UserNotFound(str(user_id))
        wanted = set(user.muted_categories or ())
        if muted:
            wanted.add(category)
        else:
            wanted.discard(category)
        # A new list (not an in-place change) so SQLAlchemy sees the JSON column changed.
        user.muted_categories = sorted(wanted)
        await uow.commit()
        return _view(user)


async def suspend(
    db: Database,
    *,
    actor_id: int,
    target_id: int,
    reason: str,
    until: datetime,
    now: datetime,
    protected_ids: frozenset[int] = frozenset(),
) -> UserView:
    """Suspend a user until `until` with a reason, audited in the same transaction, which also
    ends the actor's suspend dialogue."""
    if target_id == actor_id or target_id in protected_ids:
        raise CannotSuspend(str(target_id))
    async with db.unit_of_work() as uow:
        user = await _load(uow, target_id)
        if user is None:
            raise UserNotFound(str(target_id))
        user.suspended_until = until
        user.suspension_reason = reason
        user.suspension_notified_at = None  # tell them at their next contact
        details = {"reason": reason, "until": until.isoformat()}
        audit.record(uow, actor_id, "user.suspend", f"user:{target_id}", details, now)
        await conversation.forget_in(uow, actor_id)
        await uow.commit()
        return _view(user)


async def unsuspend(db: Database, *, actor_id: int, target_id: int, now: datetime) -> UserView:
    """Lift a suspension (audited; ends the actor's dialogue); lifting one that already ended is
    recorded too. A user whose suspension was still running is told, through the outbox, in
    their language at send time."""
    async with db.unit_of_work() as uow:
        user = await _load(uow, target_id)
        if user is None:
            raise UserNotFound(str(target_id))
        was = user.suspended_until
        user.suspended_until = None
        user.suspension_reason = None
        user.suspension_notified_at = None
        details = {"was_until": was.isoformat() if was else None}
        audit.record(uow, actor_id, "user.unsuspend", f"user:{target_id}", details, now)
        await conversation.forget_in(uow, actor_id)
        if was is not None and was > now:
            # Keyed by the suspension it ends: a repeated unsuspend does not tell them twice.
            key = f"unsuspend:{target_id}:{was.isoformat()}"
            await outbox.enqueue(uow, target_id, "suspended.lifted", now=now, dedupe_key=key)
        await uow.commit()
        return _view(user)


async def claim_suspension_notice(db: Database, user_id: int, now: datetime) -> bool:
    """True (and recorded) if the suspended user has not been told in the last hour.

    A conditional update, so two updates handled at once cannot both send the notice.
    """
    cutoff = now - SUSPENSION_NOTICE_EVERY
    async with db.unit_of_work() as uow:
        result = await uow.session.execute(
            update(User)
            .where(
                User.id == user_id,
                or_(User.suspension_notified_at.is_(None), User.suspension_notified_at <= cutoff),
            )
            .values(suspension_notified_at=now)
        )
        await uow.commit()
        return bool(getattr(result, "rowcount", 0))
