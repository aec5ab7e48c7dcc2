"""answerCallbackQuery: once per query, within Telegram's answer window."""

from __future__ import annotations

from typing import Any

from adsbot.sandbox.emulator import errors
from adsbot.sandbox.emulator.errors import ApiError, bad_request
from adsbot.sandbox.emulator.methods.base import Call, method


@method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> Any:
    record = call.state.callbacks.get(call.params.require_str("callback_query_id"))
    now = call.state.now()
    if (
        record is None
        or record.bot_id != call.bot.user.id
        or record.answered_at is not None
        or (now - record.created_at).total_seconds() > call.state.callback_answer_window
    ):
        raise ApiError(400, errors.QUERY_TOO_OLD)
    text = call.params.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered_at = now
    record.answer = {
        "text": text,
        "show_alert": call.params.flag("show_alert"),
        "url": call.params.text("url"),
        "cache_time": call.params.integer("cache_time", 0),
    }
    call.state.emit("callback_answer", callback=record.to_view())
    return True
