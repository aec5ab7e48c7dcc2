"""All handlers, registered in one visible order."""

from __future__ import annotations

from telegram.ext import Application

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers import errors, start


def register_all(application: Application, deps: BotDeps) -> int:  # type: ignore[type-arg]
    """Register every handler; return how many there are."""
    start.register(application, deps)  # /start and deep links
    errors.register(application, deps)  # last: the global error handler
    return sum(len(group) for group in application.handlers.values())
