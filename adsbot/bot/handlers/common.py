"""What every handler module shares: who is acting, showing a screen, answering presses, and the
table of steps that typed text can answer.

A screen is shown by editing the pressed message in place (menus navigate without piling up
messages); a command or typed text gets a new message.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes, filters

from adsbot.bot.deps import BotDeps
from adsbot.bot.i18n import t
from adsbot.bot.keyboards import MAX_CALLBACK_BYTES, main_menu
from adsbot.bot.reply import edit_screen, send_screen
from adsbot.services import users
from adsbot.services.conversation import State
from adsbot.services.users import TelegramPerson, UserView

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
# What PTB registers: a coroutine function of (update, context).
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]

# Where commands and typed text are taken: new messages in private chats. An edited message is
# not a new request (editing "ciao" into "/support" must not run it, nor bypass the suspension
# guard), and commands in groups would show private screens to everyone there.
PRIVATE_MESSAGES = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


@dataclass(frozen=True)
class Screen:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Press:
    """A validated button press: the presser (re-read from the database) and the data's parts."""

    user: UserView
    data: str
    query: CallbackQuery
    is_admin: bool

    @property
    def language(self) -> str:
        return self.user.language

    @property
    def parts(self) -> list[str]:
        return self.data.split(":")


class StalePress(Exception):
    """The data does not name anything this handler can act on (stale, forged, unknown).

    `keep_screen`: answer the note but leave the screen as it is (a second tap on a button
    whose first tap already did the work and showed its result)."""

    def __init__(self, *, keep_screen: bool = False) -> None:
        super().__init__()
        self.keep_screen = keep_screen


def person_of(update: Update) -> TelegramPerson | None:
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    return TelegramPerson(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


# The user read for the update being handled: the guard (group -1) reads it, the handler reuses
# it. PTB awaits blocking handlers in the update's own task, so the value never crosses updates;
# the update id is checked anyway.
_read_for: contextvars.ContextVar[tuple[int, UserView] | None] = contextvars.ContextVar(
    "adsbot_user_read_for_update", default=None
)


def cached_user(update: Update) -> UserView | None:
    """The acting user if this update already read them (no query)."""
    cached = _read_for.get()
    person = update.effective_user
    if cached is None or person is None or cached[0] != update.update_id:
        return None
    return cached[1] if cached[1].id == person.id else None


def command_of(message: Message) -> str | None:
    """The command a message starts with, lower-cased and without `@bot` (`/Start@x` ->
    `/start`), as PTB's CommandHandler matches it; None for other text."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0].split("@")[0].lower()


def starts_session(update: Update) -> bool:
    """A /start command (any case, also `/start@bot` and with a deep-link argument)."""
    message = update.message
    return message is not None and command_of(message) == "/start"


async def current_user(deps: BotDeps, update: Update) -> UserView | None:
    """The acting user as stored at the start of this update (created at first contact).

    Read once per update, not per handler; a handler that changes the user uses what its
    service returns. On /start the read is the refresh itself (names, last seen, and what the
    bot waited for forgotten), so /start costs one unit of work instead of a read and a write.
    """
    person = person_of(update)
    if person is None:
        return None
    cached = cached_user(update)
    if cached is not None:
        return cached
    zone, language, now = (
        deps.settings.DEFAULT_TIMEZONE,
        deps.settings.DEFAULT_LANGUAGE,
        deps.clock.now(),
    )
    if starts_session(update):
        user = await users.register_or_refresh(
            deps.db, person, now, zone, language, forget_conversation=True
        )
    else:
        user = await users.ensure(deps.db, person, now, zone, language)
    _read_for.set((update.update_id, user))
    return user


def is_admin(deps: BotDeps, user_id: int) -> bool:
    """ADMIN_IDS is the only source of admin rights."""
    return user_id in deps.settings.ADMIN_IDS


def in_private_chat(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def home(deps: BotDeps, user: UserView, note: str | None = None) -> Screen:
    """The main menu, optionally under a short note (`in arrivo`, `annullato`, ...)."""
    title = t(user.language, "menu.title")
    text = f"{note}\n\n{title}" if note else title
    return Screen(text, main_menu(user.language, is_admin=is_admin(deps, user.id)))


def _reply_key(update: Update) -> str:
    # One screen per update: a replayed update does not queue its fallen-back screen twice.
    return f"reply:{update.update_id}"


async def send(deps: BotDeps, update: Update, context: Context, screen: Screen) -> None:
    """A new message in the chat of the update (through the outbox if Telegram fails now)."""
    chat = update.effective_chat
    if chat is None:
        return
    await send_screen(
        context.bot,
        deps.db,
        deps.clock,
        chat.id,
        screen.text,
        screen.keyboard,
        dedupe_key=_reply_key(update),
    )


def _own_message(query: CallbackQuery) -> Message | None:
    """The pressed message, if it is still accessible and sits in the presser's private chat."""
    message = query.message
    if not isinstance(message, Message):
        return None  # too old: Telegram sends an InaccessibleMessage
    if message.chat.type != ChatType.PRIVATE or message.chat.id != query.from_user.id:
        return None
    return message


async def show(deps: BotDeps, update: Update, context: Context, screen: Screen) -> None:
    """Edit the pressed message in place; anything else gets a new message. Every screen a
    handler shows goes through here or `send`; both fall back to the outbox (bot.reply)."""
    query = update.callback_query
    message = _own_message(query) if query is not None else None
    if message is None:
        await send(deps, update, context, screen)
        return
    await edit_screen(
        context.bot,
        deps.db,
        deps.clock,
        message.chat.id,
        message.message_id,
        screen.text,
        screen.keyboard,
        dedupe_key=_reply_key(update),
    )


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a press once. A failed answer is logged and dropped: Telegram refuses late ones."""
    try:
        await query.answer(text[:200] if text else None, show_alert=alert)
    except TelegramError as exc:
        logger.warning("Could not answer callback query %s: %s", query.id, exc)


def valid_press(query: CallbackQuery) -> bool:
    data = query.data
    return (
        isinstance(data, str)
        and 0 < len(data.encode()) <= MAX_CALLBACK_BYTES
        and (_own_message(query) is not None or not isinstance(query.message, Message))
    )


def _still_offered(query: CallbackQuery) -> bool:
    """Whether the pressed button is still on the message (Telegram sends the message as it is
    now): not after the screen changed under a second tap, nor for forged data."""
    message = _own_message(query)
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return False
    return any(
        button.callback_data == query.data for row in markup.inline_keyboard for button in row
    )


async def refuse_press(
    deps: BotDeps, update: Update, context: Context, *, keep_screen: bool = False
) -> None:
    """Stale, forged, too long or someone else's: a short note. A screen of the presser's whose
    button went stale is replaced by the menu; a screen that already moved on (a double tap
    whose first press changed it) stays as it is."""
    query = update.callback_query
    assert query is not None
    user = await current_user(deps, update)
    language = user.language if user else deps.settings.DEFAULT_LANGUAGE
    await answer(query, t(language, "errors.stale_button"))
    if user is not None and not keep_screen and _still_offered(query):
        await show(deps, update, context, home(deps, user))


PressHandler = Callable[[Update, Context, Press], Awaitable[str | None]]


def on_press(deps: BotDeps, handler: PressHandler) -> Callback:
    """Wrap a button handler: validate the press, re-read the user, answer exactly once.

    The handler returns the text of a short toast (or None) and raises StalePress for data it
    cannot act on.
    """

    async def handle(update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        user = await current_user(deps, update) if valid_press(query) else None
        if user is None:
            await refuse_press(deps, update, context)
            return
        press = Press(user, str(query.data), query, is_admin(deps, user.id))
        try:
            toast = await handler(update, context, press)
        except StalePress as stale:
            await refuse_press(deps, update, context, keep_screen=stale.keep_screen)
            return
        await answer(query, toast)

    return handle


# --- Typed text answering a step -----------------------------------------------------------

StepHandler = Callable[[Update, Context, UserView, State, str | None], Awaitable[None]]


@dataclass
class Steps:
    """Which function answers typed text for each conversation kind (`settings.tz`, ...), and
    which buttons belong to that step.

    Modules add theirs at registration; the free-text handler looks the kind up here. A step
    belongs to the screen that asked for it: a command, or a press of any button that is not
    the step's own (`presses`, by callback-data prefix) or Annulla, ends it (see
    `talk.register_step_end`), so text typed much later is never taken as the step's answer.
    """

    handlers: dict[str, StepHandler] = field(default_factory=dict)
    presses: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, kind: str, handler: StepHandler, presses: tuple[str, ...] = ()) -> None:
        if kind in self.handlers:
            raise ValueError(f"step {kind!r} registered twice")
        self.handlers[kind] = handler
        self.presses[kind] = presses

    def get(self, kind: str) -> StepHandler | None:
        return self.handlers.get(kind)

    def owns(self, kind: str, data: str) -> bool:
        """Whether a press with this callback data is part of the step `kind`."""
        return any(data.startswith(prefix) for prefix in self.presses.get(kind, ()))


def typed_text(message: Message) -> str | None:
    text = message.text or message.caption
    return text.strip() if text else None
