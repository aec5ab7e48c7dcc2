"""The bot's own profile: getMe, commands, descriptions, menu button; getChat and getFile."""

from __future__ import annotations

import json
import re
from typing import Any

from adsbot.sandbox.emulator import errors
from adsbot.sandbox.emulator.errors import ApiError, bad_request
from adsbot.sandbox.emulator.methods.base import Call, method

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_TEXT_LIMITS = {"description": 512, "short_description": 120, "name": 64}


@method("getMe")
async def get_me(call: Call) -> Any:
    return call.bot.to_me()


@method("logOut", "close", "sendChatAction")
async def accepted(call: Call) -> Any:
    if call.params.has("chat_id"):
        call.state.writable_chat(call.params.chat_ref())
    return True


def _commands_key(call: Call) -> tuple[str, str]:
    scope = call.params.decoded("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), call.params.text("language_code") or ""


@method("setMyCommands")
async def set_my_commands(call: Call) -> Any:
    commands = call.params.decoded("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands is invalid")
    cleaned: list[dict[str, str]] = []
    for item in commands:
        name = item.get("command") if isinstance(item, dict) else None
        description = item.get("description") if isinstance(item, dict) else None
        if not isinstance(name, str) or not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    call.bot.commands[_commands_key(call)] = cleaned
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> Any:
    return call.bot.commands.get(_commands_key(call), [])


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> Any:
    call.bot.commands.pop(_commands_key(call), None)
    return True


def _set_text(call: Call, kind: str) -> Any:
    text = call.params.text(kind) or ""
    if len(text) > _TEXT_LIMITS[kind]:
        raise bad_request(f"{kind} is too long")
    call.bot.texts[(kind, call.params.text("language_code") or "")] = text
    return True


def _get_text(call: Call, kind: str) -> Any:
    return {kind: call.bot.texts.get((kind, call.params.text("language_code") or ""), "")}


@method("setMyDescription")
async def set_my_description(call: Call) -> Any:
    return _set_text(call, "description")


@method("getMyDescription")
async def get_my_description(call: Call) -> Any:
    return _get_text(call, "description")


@method("setMyShortDescription")
async def set_my_short_description(call: Call) -> Any:
    return _set_text(call, "short_description")


@method("getMyShortDescription")
async def get_my_short_description(call: Call) -> Any:
    return _get_text(call, "short_description")


@method("setMyName")
async def set_my_name(call: Call) -> Any:
    return _set_text(call, "name")


@method("getMyName")
async def get_my_name(call: Call) -> Any:
    return {
        "name": call.bot.texts.get(("name", call.params.text("language_code") or ""))
        or call.bot.user.first_name
    }


@method("setChatMenuButton")
async def set_chat_menu_button(call: Call) -> Any:
    button = call.params.decoded("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("menu_button is invalid")
    if call.params.has("chat_id"):
        call.state.writable_chat(call.params.chat_ref())
    else:
        call.bot.menu_button = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(call: Call) -> Any:
    return call.bot.menu_button


@method("getChat")
async def get_chat(call: Call) -> Any:
    chat = call.state.chat(call.params.chat_ref())
    if chat.user is not None and not chat.started:
        raise ApiError(400, errors.CHAT_NOT_FOUND)
    return chat.to_full_api()


@method("getFile")
async def get_file(call: Call) -> Any:
    stored = call.state.files.get(call.params.require_str("file_id"))
    if stored is None:
        raise ApiError(400, errors.WRONG_FILE_ID)
    return stored.to_file()
