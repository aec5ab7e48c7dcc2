"""Everything the emulator knows, in memory, mutated only from the event loop that serves it."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import re
from collections import deque
from datetime import datetime
from typing import Any

from adsbot.adapters.clock import Clock
from adsbot.sandbox.emulator import errors
from adsbot.sandbox.emulator.errors import ApiError
from adsbot.sandbox.emulator.models import (
    JSON,
    BotAccount,
    CallbackRecord,
    EmuChat,
    EmuMessage,
    EmuUser,
    MessageContent,
    StoredFile,
)

TOKEN_RE = re.compile(r"^(\d{1,20}):([A-Za-z0-9_-]{1,100})$")
MAX_EVENTS = 10_000


class EmulatorState:
    """Users, chats, messages, files, bots and their pending updates, plus an event log."""

    def __init__(
        self,
        clock: Clock,
        *,
        auto_register_bots: bool = True,
        default_bot_username: str = "adsbot_test_bot",
        callback_answer_window: float = 15.0,
    ) -> None:
        self.clock = clock
        self.auto_register_bots = auto_register_bots
        self.default_bot_username = default_bot_username
        self.callback_answer_window = callback_answer_window
        self.users: dict[int, EmuUser] = {}
        self.chats: dict[int, EmuChat] = {}
        self.messages: dict[int, dict[int, EmuMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.bots: dict[int, BotAccount] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.events: deque[JSON] = deque(maxlen=MAX_EVENTS)
        self.seq = 0
        self.closing = asyncio.Event()
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)

    # -- time and change notification -------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for_change(self, max_wait: float) -> None:
        """Sleep until anything changes, the timeout passes or the emulator shuts down."""
        changed = self._changed
        closing = asyncio.ensure_future(self.closing.wait())
        change = asyncio.ensure_future(changed.wait())
        try:
            await asyncio.wait({closing, change}, timeout=max_wait, return_when="FIRST_COMPLETED")
        finally:
            closing.cancel()
            change.cancel()

    def emit(self, event_type: str, /, **data: Any) -> JSON:
        self.seq += 1
        event = {"seq": self.seq, "type": event_type, "at": self.now().timestamp(), **data}
        self.events.append(event)
        self.notify()
        return event

    def events_after(self, seq: int) -> list[JSON]:
        return [event for event in self.events if event["seq"] > seq]

    # -- bots ---------------------------------------------------------------------------------

    def register_bot(
        self, token: str, *, username: str | None = None, first_name: str | None = None
    ) -> BotAccount:
        match = TOKEN_RE.match(token)
        if match is None:
            raise ValueError("a bot token looks like <digits>:<letters, digits, _ or ->")
        bot_id = int(match[1])
        bot = self.bots.get(bot_id)
        if bot is not None and bot.token != token:
            raise ValueError(f"bot {bot_id} is registered with another token")
        if bot is None:
            taken = {other.user.username for other in self.bots.values()}
            default = self.default_bot_username
            name = default if default not in taken else f"adsbot_test_{bot_id}_bot"
            user = EmuUser(id=bot_id, first_name="AdsBot Test", username=name, is_bot=True)
            bot = BotAccount(token=token, user=user)
            self.bots[bot_id] = bot
            self.users[bot_id] = user
        if username is not None:
            bot.user.username = username
        if first_name is not None:
            bot.user.first_name = first_name
        return bot

    def bot_for_token(self, token: str) -> BotAccount:
        """The bot a request's token belongs to: 404 for a malformed token, 401 for a wrong one."""
        match = TOKEN_RE.match(token)
        if match is None:
            raise ApiError(404, errors.NOT_FOUND)
        bot = self.bots.get(int(match[1]))
        if bot is None and self.auto_register_bots:
            bot = self.register_bot(token)
        if bot is None or bot.token != token:
            raise ApiError(401, errors.UNAUTHORIZED)
        return bot

    def default_bot(self) -> BotAccount:
        if not self.bots:
            raise LookupError("no bot has called the emulator yet: register a token first")
        return next(iter(self.bots.values()))

    # -- users and chats ----------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "it",
        user_id: int | None = None,
    ) -> EmuUser:
        uid = user_id if user_id is not None else 100_000_000 + next(self._ids)
        if uid in self.users:
            raise ValueError(f"user {uid} exists")
        user = EmuUser(uid, first_name, last_name, username, language_code)
        self.users[uid] = user
        self.chats[uid] = EmuChat(id=uid, type="private", user=user)
        return user

    def add_chat(
        self, title: str, *, kind: str = "supergroup", username: str | None = None
    ) -> EmuChat:
        if kind not in ("group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {kind}")
        number = next(self._ids)
        chat_id = -(1_000_000 + number) if kind == "group" else -(1_001_000_000_000 + number)
        chat = EmuChat(id=chat_id, type=kind, title=title, username=username, started=True)
        self.chats[chat_id] = chat
        return chat

    def user(self, user_id: int) -> EmuUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise LookupError(f"no user {user_id}") from None

    def chat(self, chat_ref: int | str) -> EmuChat:
        """Find a chat by id or @username, or fail with Telegram's "chat not found"."""
        if isinstance(chat_ref, str):
            name = chat_ref.removeprefix("@").lower()
            if not chat_ref.startswith("@"):
                try:
                    return self.chat(int(chat_ref))
                except ValueError:
                    raise ApiError(400, errors.CHAT_NOT_FOUND) from None
            for candidate in self.chats.values():
                if candidate.type != "private" and (candidate.username or "").lower() == name:
                    return candidate
            raise ApiError(400, errors.CHAT_NOT_FOUND)
        chat = self.chats.get(chat_ref)
        if chat is None:
            raise ApiError(400, errors.CHAT_NOT_FOUND)
        return chat

    def writable_chat(self, chat_ref: int | str) -> EmuChat:
        """A chat the bot may send to: a user must have started the bot and not blocked it."""
        chat = self.chat(chat_ref)
        if chat.user is not None:
            if chat.user.blocked_bot:
                raise ApiError(403, errors.BLOCKED)
            if not chat.started:
                raise ApiError(403, errors.CANT_INITIATE)
        return chat

    # -- messages -----------------------------------------------------------------------------

    def add_message(
        self,
        chat: EmuChat,
        sender: EmuUser,
        content: MessageContent,
        *,
        photo: StoredFile | None = None,
        document: StoredFile | None = None,
        reply_keyboard: JSON | None = None,
    ) -> EmuMessage:
        box = self.messages.setdefault(chat.id, {})
        message_id = max(box, default=0) + 1
        message = EmuMessage(
            chat, message_id, sender, self.now(), content, photo, document, reply_keyboard
        )
        box[message_id] = message
        self.emit("message", chat_id=chat.id, message=message.to_view())
        return message

    def message(self, chat_id: int, message_id: int) -> EmuMessage | None:
        message = self.messages.get(chat_id, {}).get(message_id)
        return None if message is None or message.deleted else message

    def chat_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[EmuMessage]:
        box = self.messages.get(chat_id, {})
        return [m for m in box.values() if include_deleted or not m.deleted]

    def edit_message(self, message: EmuMessage, content: MessageContent) -> None:
        message.history.append(message.content)
        message.content = content
        message.edit_date = self.now()
        self.emit("edited_message", chat_id=message.chat.id, message=message.to_view())

    def delete_message(self, message: EmuMessage) -> None:
        message.deleted = True
        self.emit("deleted_message", chat_id=message.chat.id, message_id=message.message_id)

    # -- files --------------------------------------------------------------------------------

    def store_file(
        self,
        content: bytes,
        kind: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        size: tuple[int, int] = (0, 0),
    ) -> StoredFile:
        digest = hashlib.sha256(content).hexdigest()
        number = next(self._ids)
        folder = "photos" if kind == "photo" else "documents"
        suffix = (file_name or "").rpartition(".")[2] if file_name and "." in file_name else "jpg"
        stored = StoredFile(
            file_id=f"EMU{kind[:3].upper()}{number:08d}{digest[:16]}",
            file_unique_id=f"U{digest[:15]}",
            content=content,
            kind=kind,
            path=f"{folder}/file_{number}.{suffix}",
            file_name=file_name,
            mime_type=mime_type,
            width=size[0],
            height=size[1],
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.path == path), None)

    # -- updates ------------------------------------------------------------------------------

    def enqueue_update(self, bot: BotAccount, kind: str, payload: JSON) -> JSON | None:
        """Queue an update for the bot unless its allowed_updates leave the type out."""
        if not bot.wants(kind):
            return None
        update = {"update_id": bot.next_update_id, kind: payload}
        bot.next_update_id += 1
        bot.pending.append(update)
        self.emit("update", bot_id=bot.user.id, update_id=update["update_id"], kind=kind)
        return update

    def new_callback_id(self) -> str:
        return str(4_000_000_000_000_000 + next(self._ids))
