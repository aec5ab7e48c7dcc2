"""The one place a suspended user is stopped (runs first, in group -1, for every update).

A suspended user is told why and until when at most once an hour; their button presses are still
answered; nothing else happens. Payments are not stopped here: the pre-checkout handler refuses
them, and a `successful_payment` (money already taken) is always credited.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from adsbot.bot.deps import BotDeps
from adsbot.bot.formatting import format_when
from adsbot.bot.handlers.common import Context, answer, current_user, in_private_chat
from adsbot.bot.i18n import t
from adsbot.bot.reply import send_screen
from adsbot.services import users
from adsbot.services.users import UserView


def _guarded(update: Update) -> bool:
    """A person acting in a private chat or pressing a button (not payments, not channels)."""
    if update.callback_query is not None:
        return True
    # effective_message: an edited message from a suspended user is stopped here too.
    message = update.effective_message
    return message is not None and message.successful_payment is None and in_private_chat(update)


def notice(user: UserView) -> str:
    assert user.suspended_until is not None
    until = format_when(user.suspended_until, user.language, user.time_zone)
    reason = user.suspension_reason or "—"
    return t(user.language, "suspended.notice", reason=reason, until=until)


def register(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    async def guard(update: Update, context: Context) -> None:
        if not _guarded(update):
            return
        user = await current_user(deps, update)
        now = deps.clock.now()
        if user is None or not user.is_suspended(now):
            return
        if update.callback_query is not None:
            await answer(update.callback_query, t(user.language, "suspended.toast"))
        if await users.claim_suspension_notice(deps.db, user.id, now):
            # Claimed, so it must arrive: through the outbox if Telegram fails right now.
            await send_screen(context.bot, deps.db, deps.clock, user.id, notice(user))
        raise ApplicationHandlerStop

    application.add_handler(TypeHandler(Update, guard, block=True), group=-1)
