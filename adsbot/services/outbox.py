"""The outbox: messages to anyone but the user being answered, written with the change that
causes them (same unit of work), delivered later by `adsbot.jobs.outbox_sender`.

A row stores a catalogue key and its parameters, not text: the message is rendered when it is
sent, in the recipient's language at that moment.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adsbot.bot.i18n import DEFAULT_LANGUAGE, catalogue, placeholders, t
from adsbot.domain.notifications import MUTABLE_CATEGORIES
from adsbot.storage.database import Database
from adsbot.storage.models import OutboxMessage
from adsbot.storage.uow import UnitOfWork

PENDING, SENT, DEAD, SKIPPED = "pending", "sent", "dead", "skipped"
# Parameters the sender reads itself rather than passing to the template.
MARKUP_PARAM = "_reply_markup"  # an InlineKeyboardMarkup as a dict (the reply fallback keeps it)
SCREEN_PARAM = "_html"  # the text of a SCREEN_TEMPLATE row, already rendered
CATEGORY_PARAM = "_category"  # a category the recipient may mute (None: always delivered)
RESERVED_PARAMS = frozenset({MARKUP_PARAM, SCREEN_PARAM, CATEGORY_PARAM})
# The one exception to "a key, not text": a screen that was the reply to an update and fell back
# to the outbox (bot.reply). It was rendered for its recipient seconds before, in their language,
# from several catalogue entries at once, so it is stored as the HTML that failed to go out.
SCREEN_TEMPLATE = "reply.screen"

KEEP_SENT = timedelta(days=7)
KEEP_DEAD = timedelta(days=30)


class Lane(IntEnum):
    """Transactional messages (receipts, order steps, replies that fell back) always go before
    broadcasts, so a broadcast never delays a payment receipt."""

    TRANSACTIONAL = 0
    BROADCAST = 1


class UnknownTemplate(KeyError):
    """The template key is not in the catalogue, or its parameters do not match."""


def check_template(template_key: str, params: dict[str, Any]) -> None:
    """Refuse at enqueue time what could only fail at send time."""
    if template_key == SCREEN_TEMPLATE:
        if not isinstance(params.get(SCREEN_PARAM), str) or set(params) - RESERVED_PARAMS:
            raise UnknownTemplate(f"{SCREEN_TEMPLATE}: only the rendered text {SCREEN_PARAM!r}")
        json.dumps(params)
        return
    entry = catalogue(DEFAULT_LANGUAGE).get(template_key)
    if entry is None:
        raise UnknownTemplate(f"no catalogue entry {template_key!r}")
    missing = placeholders(entry) - params.keys()
    if isinstance(entry, dict):
        missing.discard("count") if "count" in params else missing.add("count")
    if missing:
        raise UnknownTemplate(f"{template_key}: missing parameters {sorted(missing)}")
    json.dumps(params)  # JSON-only values: the row must survive a restart unchanged


async def enqueue(
    uow: UnitOfWork,
    chat_id: int,
    template_key: str,
    params: dict[str, Any] | None = None,
    *,
    now: datetime,
    lane: Lane = Lane.TRANSACTIONAL,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    category: str | None = None,
) -> bool:
    """Queue one message inside the caller's unit of work (it is sent only if that commits).

    `dedupe_key` makes the call idempotent: a second row with the same key is not written and
    the call returns False. `now` comes from the caller's Clock. A message with a `category`
    (one of `MUTABLE_CATEGORIES`) is skipped at send time if the recipient muted it then.
    """
    values = dict(params or {})
    if category is not None:
        if category not in MUTABLE_CATEGORIES:
            raise ValueError(f"unknown notification category {category!r}")
        values[CATEGORY_PARAM] = category
    check_template(
        template_key,
        values
        if template_key == SCREEN_TEMPLATE
        else {k: v for k, v in values.items() if k not in RESERVED_PARAMS},
    )
    row = {
        "lane": int(lane),
        "chat_id": chat_id,
        "template_key": template_key,
        "params": values,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": max(now, not_before or now),
        "dedupe_key": dedupe_key,
        "created_at": now,
    }
    if dedupe_key is None:
        uow.session.add(OutboxMessage(**row))
        await uow.session.flush()
        return True
    dialect = (await uow.session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage).values(**row).on_conflict_do_nothing().returning(OutboxMessage.id)
    )
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return (await uow.session.execute(statement)).scalar_one_or_none() is not None


def render(language: str, template_key: str, params: dict[str, Any]) -> str:
    """The message text in `language` (HTML; user-supplied values escaped by `t`)."""
    if template_key == SCREEN_TEMPLATE:
        return str(params[SCREEN_PARAM])
    return t(
        language, template_key, **{k: v for k, v in params.items() if k not in RESERVED_PARAMS}
    )


def _due(now: datetime) -> Any:
    return and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)


async def backlog(db: Database, now: datetime) -> tuple[int, float]:
    """(messages waiting, seconds the oldest due message has been waiting to go out)."""
    async with db.unit_of_work(read_only=True) as uow:
        depth = (
            await uow.session.execute(select(func.count()).where(OutboxMessage.status == PENDING))
        ).scalar_one()
        oldest: datetime | None = (
            await uow.session.execute(
                select(func.min(OutboxMessage.next_attempt_at)).where(_due(now))
            )
        ).scalar_one()
    if oldest is None:
        return int(depth), 0.0
    # min() over a UTCDateTime column comes back through the type: an aware datetime.
    return int(depth), max(0.0, (now - oldest).total_seconds())


async def prune(db: Database, now: datetime) -> int:
    """Delete sent and skipped rows after 7 days, dead ones after 30 (kept for inspection)."""
    async with db.unit_of_work() as uow:
        result = await uow.session.execute(
            delete(OutboxMessage).where(
                or_(
                    and_(
                        OutboxMessage.status.in_((SENT, SKIPPED)),
                        OutboxMessage.created_at < now - KEEP_SENT,
                    ),
                    and_(OutboxMessage.status == DEAD, OutboxMessage.created_at < now - KEEP_DEAD),
                )
            )
        )
        await uow.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
