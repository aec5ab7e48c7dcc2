"""/support (and the help screen's button): the user's next message goes to the admins, through
the outbox, and the user is told it was sent. Each admin's copy carries a Reply button
(`adm:reply:<user id>`, handled behind the admin gate in `admin`).

    help:support     start (step `support.message`)      /support starts it too
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers.common import (
    PRIVATE_MESSAGES,
    Context,
    Press,
    Screen,
    Steps,
    current_user,
    home,
    on_press,
    send,
    show,
)
from adsbot.bot.i18n import LANGUAGES, t
from adsbot.bot.keyboards import button, cancel_only
from adsbot.services import conversation, support
from adsbot.services.conversation import State
from adsbot.services.users import UserView

STEP = "support.message"


def _reply_buttons(user_id: int) -> dict[str, dict[str, object]]:
    """The Reply button under an admin's copy, in each language (picked per admin)."""
    return {
        language: InlineKeyboardMarkup(
            [[button(language, "support.answer_button", f"adm:reply:{user_id}")]]
        ).to_dict()
        for language in LANGUAGES
    }


def register(application: Application, deps: BotDeps, steps: Steps) -> None:  # type: ignore[type-arg]
    async def begin(user: UserView) -> Screen:
        await conversation.begin(deps.db, user.id, STEP, deps.clock.now())
        return Screen(t(user.language, "support.prompt"), cancel_only(user.language))

    async def pressed(update: Update, context: Context, press: Press) -> None:
        await show(deps, update, context, await begin(press.user))

    async def typed(update: Update, context: Context) -> None:
        user = await current_user(deps, update)
        if user is not None:
            await send(deps, update, context, await begin(user))

    async def relay(
        update: Update, context: Context, user: UserView, _state: State, text: str | None
    ) -> None:
        if not text:
            await send(
                deps,
                update,
                context,
                Screen(t(user.language, "support.text_only"), cancel_only(user.language)),
            )
            return
        try:
            queued = await support.relay_to_admins(
                deps.db,
                user_id=user.id,
                name=user.first_name,
                username=user.username,
                text=text,
                admin_ids=deps.settings.ADMIN_IDS,
                now=deps.clock.now(),
                reply_markups=_reply_buttons(user.id),
            )
        except support.TooManyRelays:
            await conversation.clear(deps.db, user.id)
            await send(
                deps, update, context, home(deps, user, t(user.language, "support.too_many"))
            )
            return
        note = t(user.language, "support.sent" if queued else "support.unavailable")
        await send(deps, update, context, home(deps, user, note))

    application.add_handler(
        CallbackQueryHandler(on_press(deps, pressed), pattern=r"^help:support$", block=True)
    )
    application.add_handler(CommandHandler("support", typed, filters=PRIVATE_MESSAGES, block=True))
    steps.add(STEP, relay)
