"""My channels: the publisher's channels, listings and orders received (not built yet)."""

from __future__ import annotations

from telegram.ext import Application

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers.menu import register_coming_soon


def register(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    register_coming_soon(
        application,
        deps,
        "channels",
    )
