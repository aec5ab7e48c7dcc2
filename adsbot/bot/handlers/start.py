"""/start: register or refresh the user, then greet them in their language."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from adsbot.bot.deps import BotDeps
from adsbot.bot.i18n import t
from adsbot.services.users import TelegramPerson, register_or_refresh


def person_of(update: Update) -> TelegramPerson | None:
    user = update.effective_user
    if user is None:
        return None
    return TelegramPerson(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


def register(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    async def start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        person = person_of(update)
        message = update.effective_message
        if person is None or message is None:
            return
        user = await register_or_refresh(
            deps.db,
            person,
            deps.clock.now(),
            deps.settings.DEFAULT_TIMEZONE,
            deps.settings.DEFAULT_LANGUAGE,
        )
        # The reply goes out after the unit of work has committed.
        await message.reply_text(
            t(user.language, "start.welcome", name=user.first_name), parse_mode=ParseMode.HTML
        )

    application.add_handler(CommandHandler("start", start, block=True))
