"""The one global error handler: an apology with a reference for the user, details in the log."""

from __future__ import annotations

import logging
import secrets

from telegram import Update
from telegram.ext import Application, ContextTypes

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers.common import cached_user
from adsbot.bot.i18n import match_language, t
from adsbot.bot.reply import reply
from adsbot.bot.worker import current_outcome

logger = logging.getLogger(__name__)


def new_reference() -> str:
    return "E" + secrets.token_hex(4).upper()


def register(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        reference = new_reference()
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error(
            "Handler failure %s on update %s", reference, update_id, exc_info=context.error
        )
        outcome = current_outcome.get()
        if outcome is not None:
            outcome.error_ref = reference
        if not isinstance(update, Update):
            return
        # The language the user chose, if this update already read them; never a new query
        # here (the database may be what failed).
        stored = cached_user(update)
        language = (
            stored.language
            if stored
            else match_language(
                update.effective_user.language_code if update.effective_user else None,
                deps.settings.DEFAULT_LANGUAGE,
            )
        )
        # Two separate tries: the press may already be answered (by the guard, or before the
        # failure) or be too old, and answering it again raises; the chat apology goes out anyway.
        if update.callback_query is not None:
            try:
                # A toast is plain text (no HTML); the full apology follows in the chat.
                toast = t(language, "errors.apology_toast", reference=reference)
                await update.callback_query.answer(toast[:200], show_alert=True)
            except Exception as exc:  # the error handler itself must never fail
                # One line: the failure's traceback is already logged above.
                logger.warning("Could not answer the press for %s: %r", reference, exc)
        if update.effective_chat is not None and update.effective_chat.type == "private":
            try:
                await reply(
                    context.bot,
                    deps.db,
                    deps.clock,
                    update.effective_chat.id,
                    language,
                    "errors.apology",
                    {"reference": reference},
                    dedupe_key=f"apology:{update.update_id}",
                )
            except Exception as exc:  # the error handler itself must never fail
                logger.warning("Could not deliver the apology for %s: %r", reference, exc)

    application.add_error_handler(on_error, block=True)
