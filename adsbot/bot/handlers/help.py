"""❓ Aiuto: what the bot does for publishers and for advertisers (a screen each), support, terms,
privacy.

    m:help                 the help screen          /help sends it
    help:pub, help:adv     publishers, advertisers
    help:terms, help:privacy                        /terms, /privacy send them
    help:support           write to the admins (see support.py)  /support
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers.common import (
    PRIVATE_MESSAGES,
    Callback,
    Context,
    Press,
    Screen,
    StalePress,
    current_user,
    on_press,
    send,
    show,
)
from adsbot.bot.i18n import t
from adsbot.bot.keyboards import button, pairs, with_back
from adsbot.bot.legal import DOCUMENTS, legal_text

HELP = "m:help"
GUIDES = {"pub": "help.publishers", "adv": "help.advertisers"}


def help_screen(language: str) -> Screen:
    rows = pairs(
        [
            button(language, "help.button.pub", "help:pub"),
            button(language, "help.button.adv", "help:adv"),
            button(language, "help.button.support", "help:support"),
            button(language, "help.button.terms", "help:terms"),
            button(language, "help.button.privacy", "help:privacy"),
        ]
    )
    return Screen(t(language, "help.title"), with_back(language, rows))


def page(language: str, name: str) -> Screen:
    """A guide or a legal text, with a way back to the help screen."""
    text = t(language, GUIDES[name]) if name in GUIDES else legal_text(language, name)
    return Screen(text, with_back(language, [], HELP))


def register(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    async def open_help(update: Update, context: Context, press: Press) -> None:
        await show(deps, update, context, help_screen(press.language))

    async def open_page(update: Update, context: Context, press: Press) -> None:
        name = press.data.removeprefix("help:")
        if name not in GUIDES and name not in DOCUMENTS:
            raise StalePress
        await show(deps, update, context, page(press.language, name))

    def command(name: str | None) -> Callback:
        async def typed(update: Update, context: Context) -> None:
            user = await current_user(deps, update)
            if user is None:
                return
            screen = help_screen(user.language) if name is None else page(user.language, name)
            await send(deps, update, context, screen)

        return typed

    application.add_handler(
        CallbackQueryHandler(on_press(deps, open_help), pattern=f"^{HELP}$", block=True)
    )
    application.add_handler(
        CallbackQueryHandler(
            on_press(deps, open_page), pattern=r"^help:(pub|adv|terms|privacy)$", block=True
        )
    )
    application.add_handler(
        CommandHandler("help", command(None), filters=PRIVATE_MESSAGES, block=True)
    )
    for document in DOCUMENTS:
        application.add_handler(
            CommandHandler(document, command(document), filters=PRIVATE_MESSAGES, block=True)
        )

    async def paysupport(update: Update, context: Context) -> None:
        # Telegram requires bots that take payments to answer /paysupport.
        user = await current_user(deps, update)
        if user is not None:
            text = t(user.language, "help.paysupport")
            await send(deps, update, context, Screen(text, with_back(user.language, [], HELP)))

    application.add_handler(
        CommandHandler("paysupport", paysupport, filters=PRIVATE_MESSAGES, block=True)
    )
