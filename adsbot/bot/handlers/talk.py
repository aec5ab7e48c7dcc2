"""What the bot does with typed text and /cancel.

Typed text answers the step the bot is waiting for (the conversation state in the database, so
a restart does not lose it). A stale step expires with a polite note; text when nothing is
expected gets a short hint and the menu, as does an unknown command.

    cancel      the button under every prompt        /cancel from anywhere
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers.common import (
    PRIVATE_MESSAGES,
    Context,
    Press,
    Steps,
    command_of,
    current_user,
    home,
    in_private_chat,
    on_press,
    send,
    show,
    starts_session,
    typed_text,
)
from adsbot.bot.i18n import t
from adsbot.bot.keyboards import CANCEL
from adsbot.services import conversation

logger = logging.getLogger(__name__)


def register_cancel(application: Application, deps: BotDeps) -> None:  # type: ignore[type-arg]
    async def cancel_note(user_id: int, language: str) -> str:
        cleared = await conversation.clear(deps.db, user_id)
        return t(language, "cancel.done" if cleared else "cancel.nothing")

    async def command(update: Update, context: Context) -> None:
        user = await current_user(deps, update)
        if user is not None:
            await send(
                deps, update, context, home(deps, user, await cancel_note(user.id, user.language))
            )

    async def pressed(update: Update, context: Context, press: Press) -> None:
        note = await cancel_note(press.user.id, press.language)
        await show(deps, update, context, home(deps, press.user, note))

    application.add_handler(CommandHandler("cancel", command, filters=PRIVATE_MESSAGES, block=True))
    application.add_handler(
        CallbackQueryHandler(on_press(deps, pressed), pattern=f"^{CANCEL}$", block=True)
    )


STEP_END_GROUP = -3  # before reachability (-2) and the guard (-1): it only forgets


def register_step_end(application: Application, deps: BotDeps, steps: Steps) -> None:  # type: ignore[type-arg]
    """A command or a press outside the pending step ends the step (see `Steps`)."""

    async def end_step(update: Update, _context: Context) -> None:
        person = update.effective_user
        if person is None or not in_private_chat(update) or starts_session(update):
            return  # /start forgets the step itself, in its refresh
        query, message = update.callback_query, update.message
        if query is not None:
            data = query.data or ""
            if data == CANCEL:
                return
        elif message is not None and (command := command_of(message)) is not None:
            if command == "/cancel":
                return  # /cancel (any case, as CommandHandler) ends the step itself, and says so
            data = None
        else:
            return  # typed text is the step's answer
        state = await conversation.current(deps.db, person.id)
        if state is None or (data is not None and steps.owns(state.kind, data)):
            return
        await conversation.clear(deps.db, person.id)

    application.add_handler(TypeHandler(Update, end_step, block=True), group=STEP_END_GROUP)


def register_text(application: Application, deps: BotDeps, steps: Steps) -> None:  # type: ignore[type-arg]
    """Registered after every command: private messages that are not commands."""

    async def text(update: Update, context: Context) -> None:
        user = await current_user(deps, update)
        message = update.effective_message
        if user is None or message is None:
            return
        state = await conversation.current(deps.db, user.id)
        if state is None:
            await send(deps, update, context, home(deps, user, t(user.language, "talk.hint")))
            return
        if state.expired(deps.clock.now()):
            await conversation.clear(deps.db, user.id)
            await send(deps, update, context, home(deps, user, t(user.language, "talk.expired")))
            return
        step = steps.get(state.kind)
        if step is None:
            # A step from an older version of the bot: forget it rather than guess.
            logger.info("Dropping unknown conversation step %s", state.kind)
            await conversation.clear(deps.db, user.id)
            await send(deps, update, context, home(deps, user, t(user.language, "talk.hint")))
            return
        await step(update, context, user, state, typed_text(message))

    async def unknown_command(update: Update, context: Context) -> None:
        user = await current_user(deps, update)
        if user is not None:
            await send(
                deps, update, context, home(deps, user, t(user.language, "talk.unknown_command"))
            )

    private = PRIVATE_MESSAGES
    application.add_handler(MessageHandler(private & filters.COMMAND, unknown_command, block=True))
    application.add_handler(
        MessageHandler(private & ~filters.COMMAND & ~filters.SUCCESSFUL_PAYMENT, text, block=True)
    )
