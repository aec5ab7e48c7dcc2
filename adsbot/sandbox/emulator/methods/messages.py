"""Sending, editing and deleting messages."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from adsbot.sandbox.emulator import errors
from adsbot.sandbox.emulator.errors import ApiError, bad_request
from adsbot.sandbox.emulator.methods.base import Call, method
from adsbot.sandbox.emulator.methods.content import formatted, reply_markup, resolve_file
from adsbot.sandbox.emulator.models import EmuChat, EmuMessage, MessageContent

# Bots may delete a message for everyone only while it is younger than this.
DELETE_WINDOW = timedelta(hours=48)


def _throttle(call: Call, chat: EmuChat) -> None:
    call.limiter.check(call.bot.user.id, chat.id, chat.type)


@method("sendMessage")
async def send_message(call: Call) -> Any:
    chat = call.state.writable_chat(call.params.chat_ref())
    text, entities = formatted(call.params, "text", "entities", caption=False)
    inline, keyboard = reply_markup(call.params)
    _throttle(call, chat)
    content = MessageContent(text=text, entities=entities, reply_markup=inline)
    message = call.state.add_message(chat, call.bot.user, content, reply_keyboard=keyboard)
    return message.to_api()


async def _send_media(call: Call, kind: str) -> Any:
    chat = call.state.writable_chat(call.params.chat_ref())
    caption, caption_entities = formatted(call.params, "caption", "caption_entities", caption=True)
    inline, keyboard = reply_markup(call.params)
    stored = resolve_file(call.state, call.params, kind, kind)
    _throttle(call, chat)
    content = MessageContent(
        caption=caption or None, caption_entities=caption_entities, reply_markup=inline
    )
    message = call.state.add_message(
        chat,
        call.bot.user,
        content,
        photo=stored if kind == "photo" else None,
        document=stored if kind == "document" else None,
        reply_keyboard=keyboard,
    )
    return message.to_api()


@method("sendPhoto")
async def send_photo(call: Call) -> Any:
    return await _send_media(call, "photo")


@method("sendDocument")
async def send_document(call: Call) -> Any:
    return await _send_media(call, "document")


def _message_to_edit(call: Call) -> EmuMessage:
    if call.params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = call.state.chat(call.params.chat_ref())
    message = call.state.message(chat.id, call.params.require_int("message_id"))
    if message is None:
        raise ApiError(400, errors.EDIT_NOT_FOUND)
    if message.sender.id != call.bot.user.id:
        raise ApiError(400, errors.CANT_EDIT)
    return message


def _apply_edit(call: Call, message: EmuMessage, content: MessageContent) -> Any:
    if content == message.content:
        raise ApiError(400, errors.NOT_MODIFIED)
    _throttle(call, message.chat)
    call.state.edit_message(message, content)
    return message.to_api()


# An edit without reply_markup removes the inline keyboard, as on Telegram.


@method("editMessageText")
async def edit_message_text(call: Call) -> Any:
    message = _message_to_edit(call)
    text, entities = formatted(call.params, "text", "entities", caption=False)
    inline, _ = reply_markup(call.params)
    if message.content.text is None:
        raise ApiError(400, errors.NO_TEXT_TO_EDIT)
    content = MessageContent(text=text, entities=entities, reply_markup=inline)
    return _apply_edit(call, message, content)


@method("editMessageCaption")
async def edit_message_caption(call: Call) -> Any:
    message = _message_to_edit(call)
    caption, entities = formatted(call.params, "caption", "caption_entities", caption=True)
    inline, _ = reply_markup(call.params)
    if message.photo is None and message.document is None:
        raise ApiError(400, errors.NO_CAPTION_TO_EDIT)
    content = replace(
        message.content, caption=caption or None, caption_entities=entities, reply_markup=inline
    )
    return _apply_edit(call, message, content)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> Any:
    message = _message_to_edit(call)
    inline, _ = reply_markup(call.params)
    return _apply_edit(call, message, replace(message.content, reply_markup=inline))


@method("deleteMessage")
async def delete_message(call: Call) -> Any:
    chat = call.state.chat(call.params.chat_ref())
    message = call.state.message(chat.id, call.params.require_int("message_id"))
    if message is None:
        raise ApiError(400, errors.DELETE_NOT_FOUND)
    if call.state.now() - message.date > DELETE_WINDOW:
        raise ApiError(400, errors.CANT_DELETE)
    if chat.type != "private" and message.sender.id != call.bot.user.id:
        # Deleting others' messages in groups and channels needs admin rights (not yet emulated).
        raise ApiError(400, errors.CANT_DELETE)
    call.state.delete_message(message)
    return True


@method("copyMessage")
async def copy_message(call: Call) -> Any:
    source_chat = call.state.chat(call.params.chat_ref("from_chat_id"))
    source = call.state.message(source_chat.id, call.params.require_int("message_id"))
    chat = call.state.writable_chat(call.params.chat_ref())
    if source is None:
        raise bad_request("message to copy not found")
    inline, keyboard = reply_markup(call.params)
    _throttle(call, chat)
    content = replace(source.content, reply_markup=inline)
    copy = call.state.add_message(
        chat,
        call.bot.user,
        content,
        photo=source.photo,
        document=source.document,
        reply_keyboard=keyboard,
    )
    return {"message_id": copy.message_id}
