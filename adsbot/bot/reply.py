"""The reply to the update being handled: sent directly, after the handler's unit of work has
committed; if Telegram answers 429, 5xx or times out, it falls into the outbox's transactional
lane instead of being lost (DESIGN, "Messages out"). Other errors (400, 403) are the caller's.

Two shapes: `reply` renders one catalogue key (the outbox row keeps the key, rendered again at
send time); `send_screen` and `edit_screen` carry a whole screen the handlers built (the row keeps
its HTML and keyboard, `outbox.SCREEN_TEMPLATE`).

A timed-out send may still have arrived, so the fallback can deliver it twice; never more.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from adsbot.adapters.clock import Clock
from adsbot.adapters.telegram import retry_after_seconds
from adsbot.services import outbox
from adsbot.services.outbox import MARKUP_PARAM, SCREEN_PARAM, SCREEN_TEMPLATE, Lane
from adsbot.storage.database import Database

logger = logging.getLogger(__name__)


def _transient(exc: Exception) -> tuple[float, str] | None:
    """(seconds to wait, why) for a failure worth queuing; None for the caller's errors."""
    if isinstance(exc, BadRequest):
        return None  # a subclass of NetworkError in PTB, but our mistake, not a transient one
    if isinstance(exc, RetryAfter):
        wait = retry_after_seconds(exc)
        return wait, f"429 (retry after {wait:g}s)"
    if isinstance(exc, (TimedOut, NetworkError)):
        # 5xx answers come as NetworkError; 4xx are not transient and are not caught here.
        return 0.0, type(exc).__name__
    return None


async def _queue(
    db: Database,
    clock: Clock,
    chat_id: int,
    template_key: str,
    values: dict[str, Any],
    reply_markup: InlineKeyboardMarkup | None,
    wait: float,
    dedupe_key: str | None,
) -> None:
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
    return await _send_or_queue(
        bot, db, clock, chat_id, text, reply_markup, template_key, values, dedupe_key
    )


async def send_screen(
    bot: Bot,
    db: Database,
    clock: Clock,
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    dedupe_key: str | None = None,
) -> Message | None:
    """Send a screen (HTML text and its keyboard) now; on a transient failure queue it.

    Returns the sent message, or None when it was queued.
    """
    values: dict[str, Any] = {SCREEN_PARAM: text}
    return await _send_or_queue(
        bot, db, clock, chat_id, text, keyboard, SCREEN_TEMPLATE, values, dedupe_key
    )


async def _send_or_queue(
    bot: Bot,
    db: Database,
    clock: Clock,
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    template_key: str,
    values: dict[str, Any],
    dedupe_key: str | None,
) -> Message | None:
    """Send now; on 429, 5xx or a timeout queue the same message (as `template_key` with
    `values`) in the outbox's transactional lane. Other errors are the caller's."""
    try:
        return await bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            disable_web_page_preview=True,
        )
    except TelegramError as exc:
        failure = _transient(exc)
        if failure is None:
            raise
    await _queue(db, clock, chat_id, template_key, values, keyboard, failure[0], dedupe_key)
    logger.warning("Message to chat %d failed with %s; queued in the outbox", chat_id, failure[1])
    return None


async def edit_screen(
    bot: Bot,
    db: Database,
    clock: Clock,
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    dedupe_key: str | None = None,
) -> None:
    """Replace the pressed message with a screen; when that cannot be done, send the screen.

    - "message is not modified": pressed twice, the screen is already right; nothing to do.
    - Any other 400 (too old to edit, deleted): a new message with the screen, now.
    - 429, 5xx or a timeout: the same screen as a *new* message through the outbox. An edit is
      not queued: the outbox only sends, and a late edit could overwrite a newer screen the user
      has moved to meanwhile, while a fresh message is always the newest thing in the chat. The
      old message keeps its buttons; pressing them is safe (every press is re-checked). A timed-
      out edit may have been applied after all: then the user sees the screen twice.
    """
    try:
        await bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            disable_web_page_preview=True,
        )
        return
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        logger.info("Could not edit message in place (%s); sending a new one", exc.message)
        await send_screen(bot, db, clock, chat_id, text, keyboard, dedupe_key=dedupe_key)
        return
    except TelegramError as exc:
        failure = _transient(exc)
        if failure is None:
            raise
    values: dict[str, Any] = {SCREEN_PARAM: text}
    await _queue(db, clock, chat_id, SCREEN_TEMPLATE, values, keyboard, failure[0], dedupe_key)
    logger.warning(
        "Editing a screen in chat %d failed with %s; queued as a new message", chat_id, failure[1]
    )
