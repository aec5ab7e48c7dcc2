"""/start: register or refresh the user, greet them in their language, show the main menu.

Deep links (`t.me/<bot>?start=ch_<id>`, `ord_<id>`, `camp_<id>`) are recognised; until their
features exist the bot says so politely. A malformed payload is ignored: the menu alone.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application, CommandHandler

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers.common import PRIVATE_MESSAGES, Context, current_user, home, send
from adsbot.bot.i18n import t

# Channel ids are negative (-100…); order and campaign ids positive; all fit a signed 64-bit
# integer. ASCII digits only, no leading zero: one id has one spelling.
DEEP_LINK = re.compile(r"(ch|ord|camp)_(-?[1-9][0-9]{0,18})", re.ASCII)
_INT64_MAX = 2**63 - 1


def deep_link_note(language: str, payload: str) -> str | None:
    match = DEEP_LINK.fullmatch(payload)
    if match is None:
        return None
    kind, number = match[1], int(match[2])
    if (number < 0) != (kind == "ch") or abs(number) > _INT64_MAX:
        return None
    return t(language, f"deeplink.{kind}", id=number)


def register(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    async def start(update: Update, context: Context) -> None:
        if update.effective_message is None:
            return
        # Registered or refreshed, with the conversation forgotten, by the per-update user read.
        user = await current_user(deps, update)
        if user is None:
            return
        note = t(user.language, "start.welcome", name=user.first_name)
        link = deep_link_note(user.language, context.args[0]) if context.args else None
        if link:
            note = f"{note}\n\n{link}"
        # The reply goes out after the units of work have committed.
        await send(deps, update, context, home(deps, user, note))

    application.add_handler(CommandHandler("start", start, filters=PRIVATE_MESSAGES, block=True))
