"""What emulated users do: write to the bot, press its buttons, block it."""

from __future__ import annotations

import hashlib

from adsbot.sandbox.emulator.entities import command_entities
from adsbot.sandbox.emulator.models import (
    JSON,
    BotAccount,
    CallbackRecord,
    EmuMessage,
    MessageContent,
)
from adsbot.sandbox.emulator.state import EmulatorState


def user_sends(
    state: EmulatorState,
    user_id: int,
    text: str,
    *,
    chat_id: int | None = None,
    entities: list[JSON] | None = None,
    bot: BotAccount | None = None,
) -> EmuMessage:
    """The user writes `text`; commands get their `bot_command` entities as in Telegram."""
    user = state.user(user_id)
    target = bot or state.default_bot()
    chat = state.chat(chat_id if chat_id is not None else user_id)
    if chat.user is not None:
        chat.started = True  # writing to a bot (usually /start) opens the private chat
    found = entities if entities is not None else command_entities(text)
    message = state.add_message(chat, user, MessageContent(text=text, entities=found))
    state.enqueue_update(target, "message", message.to_api())
    return message


def user_edits(
    state: EmulatorState, user_id: int, chat_id: int, message_id: int, text: str
) -> EmuMessage:
    """The user edits one of their own messages; the bot gets an `edited_message` update."""
    message = state.message(chat_id, message_id)
    if message is None or message.sender.id != user_id or message.deleted:
        raise LookupError(f"user {user_id} has no message {message_id} in chat {chat_id}")
    state.edit_message(message, MessageContent(text=text, entities=command_entities(text)))
    state.enqueue_update(state.default_bot(), "edited_message", message.to_api())
    return message


def _find_button(message: EmuMessage, data: str | None, label: str | None) -> JSON | None:
    markup = message.content.reply_markup or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if data is not None and button.get("callback_data") == data:
                return dict(button)
            if label is not None and button.get("text") == label:
                return dict(button)
    return None


def user_presses(
    state: EmulatorState,
    user_id: int,
    chat_id: int,
    *,
    message_id: int | None = None,
    data: str | None = None,
    label: str | None = None,
    bot: BotAccount | None = None,
) -> CallbackRecord:
    """Press an inline button found by callback data or label (on the newest message having it,
    unless a message id is given); the bot receives a callback_query carrying the message."""
    if (data is None) == (label is None):
        raise ValueError("give exactly one of data or label")
    user = state.user(user_id)
    target = bot or state.default_bot()
    if message_id is not None:
        found = state.message(chat_id, message_id)
        candidates = [found] if found is not None else []
    else:
        candidates = list(reversed(state.chat_messages(chat_id)))
    for message in candidates:
        button = _find_button(message, data, label)
        if button is None:
            continue
        if "callback_data" not in button:
            raise ValueError(f"button {button.get('text')!r} is not a callback button")
        record = CallbackRecord(
            id=state.new_callback_id(),
            bot_id=target.user.id,
            user=user,
            message=message,
            data=button["callback_data"],
            created_at=state.now(),
        )
        state.callbacks[record.id] = record
        instance = hashlib.sha256(f"{target.user.id}:{chat_id}".encode()).hexdigest()[:16]
        payload = {
            "id": record.id,
            "from": user.to_api(),
            "message": message.to_api(),
            "chat_instance": str(int(instance, 16)),
            "data": record.data,
        }
        state.enqueue_update(target, "callback_query", payload)
        state.emit("callback_query", callback=record.to_view())
        return record
    wanted = f"data {data!r}" if data is not None else f"label {label!r}"
    raise LookupError(f"no inline button with {wanted} in chat {chat_id}")


def unanswered_callbacks(state: EmulatorState) -> list[CallbackRecord]:
    return [record for record in state.callbacks.values() if record.answered_at is None]
