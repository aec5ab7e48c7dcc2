"""Group -2, before every other handler: keep `users.unreachable_since` true to life.

A user who blocks the bot sends a private `my_chat_member` update with status "kicked"; one who
unblocks sends "member". Only an update from the private chat (or a pre-checkout query, which
Telegram sends only after the user opened the invoice we sent there) means they are talking to us
again: a message in a group, a group join or a press in a group comes from someone who may still
block the bot.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import Application, ContextTypes, TypeHandler

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers.common import current_user, in_private_chat
from adsbot.services.reachability import mark_reachable, mark_unreachable

GROUP = -2  # before the suspension guard (group -1), which stops suspended users


def register(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    async def track(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        member = update.my_chat_member
        if member is not None:
            if member.chat.type != "private":
                return  # the bot's rights in a channel or group, not a person's reachability
            if member.new_chat_member.status == ChatMember.BANNED:
                await mark_unreachable(deps.db, member.from_user.id, deps.clock.now())
                return
        user = update.effective_user
        if user is None or user.is_bot:
            return
        if in_private_chat(update):
            # The user row is read once per update and shared with the guard and the handlers:
            # the common case (reachable) costs no extra query.
            stored = await current_user(deps, update)
            if stored is not None and stored.unreachable:
                await mark_reachable(deps.db, user.id)
        elif update.pre_checkout_query is not None:
            await mark_reachable(deps.db, user.id)

    application.add_handler(TypeHandler(Update, track, block=True), group=GROUP)
