"""The bot's public profile, set at start-up: command list, description and short description,
in Italian as the default set and in English for users whose Telegram speaks `en`."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from adsbot.bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

logger = logging.getLogger(__name__)

# The public commands, in menu order (/admin is not advertised).
COMMANDS: tuple[str, ...] = (
    "start",
    "help",
    "settings",
    "wallet",
    "support",
    "cancel",
    "terms",
    "privacy",
    "paysupport",
)


def commands(language: str) -> list[BotCommand]:
    return [BotCommand(name, t(language, f"bot.commands.{name}")) for name in COMMANDS]


async def publish_profile(bot: Bot) -> bool:
    """Set commands and descriptions for every language; False (logged) if Telegram refused.

    The default set (no language_code) is Italian; each other language gets its own set.
    """
    try:
        for language in LANGUAGES:
            code = None if language == DEFAULT_LANGUAGE else language
            await bot.set_my_commands(commands(language), language_code=code)
            await bot.set_my_description(t(language, "bot.description"), language_code=code)
            await bot.set_my_short_description(
                t(language, "bot.short_description"), language_code=code
            )
    except TelegramError as exc:
        logger.warning("Could not set the bot's commands and description: %s", exc)
        return False
    return True
