"""The reply to the update being handled: sent directly, after the handler's unit of work has
committed; if Telegram answers 429, 5xx or times out, it falls into the outbox's transactional
lane instead of being lost (DESIGN, "Messages out"). Other errors (400, 403) are the caller's.

A timed-out send may still have arrived, so the fallback can deliver it twice; never more.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from adsbot.adapters.clock import Clock
from adsbot.adapters.telegram import retry_after_seconds
from adsbot.services import outbox
from adsbot.services.outbox import MARKUP_PARAM, Lane
from adsbot.storage.database import Database

logger = logging.getLogger(__name__)


async def reply(
    bot: Bot,
    db: Database,
    clock: Clock,
    chat_id: int,
    language: str,
    template_key: str,
    params: dict[str, Any] | None = None,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    dedupe_key: str | None = None,
) -> Message | None:
    """Send `template_key` rendered in `language` now; on a transient failure queue it.

    Returns the sent message, or None when it was queued. `dedupe_key` (for example
    `reply:<update_id>`) keeps a replayed update from queuing the same reply twice.
    """
    values = dict(params or {})
    text = outbox.render(language, template_key, values)
    try:
        return await bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=reply_markup
        )
    except BadRequest:
        raise  # a subclass of NetworkError in PTB, but our mistake, not a transient failure
    except RetryAfter as exc:
        wait = retry_after_seconds(exc)
        reason = f"429 (retry after {wait:g}s)"
    except (TimedOut, NetworkError) as exc:
        # 5xx answers come as NetworkError; 4xx are not transient and are not caught here.
        wait, reason = 0.0, type(exc).__name__
    if reply_markup is not None:
        values[MARKUP_PARAM] = reply_markup.to_dict()
    now = clock.now()
    async with db.unit_of_work() as uow:
        await outbox.enqueue(
            uow,
            chat_id,
            template_key,
            values,
            now=now,
            lane=Lane.TRANSACTIONAL,
            dedupe_key=dedupe_key,
            not_before=now + timedelta(seconds=wait),
        )
        await uow.commit()
    logger.warning("Reply to chat %d failed with %s; queued in the outbox", chat_id, reason)
    return None
