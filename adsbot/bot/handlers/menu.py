"""The main menu: `m:home` (back to it from anywhere), entries whose feature is not built yet, and
the last-resort handler for presses nobody else recognised."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers.common import (
    PRIVATE_MESSAGES,
    Context,
    Press,
    current_user,
    home,
    on_press,
    refuse_press,
    send,
    show,
)
from adsbot.bot.i18n import t
from adsbot.bot.keyboards import HOME


def coming_soon_note(language: str, key: str) -> str:
    return t(language, "soon.note", feature=t(language, f"menu.{key}"))


def register_coming_soon(
    application: Application,  # type: ignore[type-arg]
    deps: BotDeps,
    key: str,
    command: str | None = None,
) -> None:
    """A menu entry (and optionally a command) whose feature is not built yet: a short note and
    the main menu again, never an error."""

    async def pressed(update: Update, context: Context, press: Press) -> str:
        await show(
            deps, update, context, home(deps, press.user, coming_soon_note(press.language, key))
        )
        return t(press.language, "soon.toast")

    application.add_handler(
        CallbackQueryHandler(on_press(deps, pressed), pattern=f"^m:{key}$", block=True)
    )
    if command is None:
        return

    async def typed(update: Update, context: Context) -> None:
        user = await current_user(deps, update)
        if user is not None:
            await send(
                deps, update, context, home(deps, user, coming_soon_note(user.language, key))
            )

    application.add_handler(CommandHandler(command, typed, filters=PRIVATE_MESSAGES, block=True))


def register(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    async def back_home(update: Update, context: Context, press: Press) -> None:
        await show(deps, update, context, home(deps, press.user))

    application.add_handler(
        CallbackQueryHandler(on_press(deps, back_home), pattern=f"^{HOME}$", block=True)
    )


def register_fallback(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    """Registered last: any press no module claimed (stale, forged, from an older version)."""

    async def unknown(update: Update, context: Context) -> None:
        await refuse_press(deps, update, context)

    application.add_handler(CallbackQueryHandler(unknown, block=True))
