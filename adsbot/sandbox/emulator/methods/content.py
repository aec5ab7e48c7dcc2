"""Reading message content from parameters: formatted text, keyboards and files, checked like
Telegram checks them."""

from __future__ import annotations

import struct
from typing import Any

from adsbot.sandbox.emulator import errors
from adsbot.sandbox.emulator.entities import clean_entities, parse_html, utf16_len
from adsbot.sandbox.emulator.errors import ApiError, bad_request
from adsbot.sandbox.emulator.models import JSON, StoredFile
from adsbot.sandbox.emulator.params import Params, Upload
from adsbot.sandbox.emulator.state import EmulatorState

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def formatted(
    params: Params, field: str, entities_field: str, *, caption: bool
) -> tuple[str, list[JSON]]:
    """Text after parse mode, with entities; length counted after parsing, in UTF-16 units."""
    raw = params.text(field) or ""
    parse_mode = (params.text("parse_mode") or "").lower()
    if params.has(entities_field):
        entities_raw = params.decoded(entities_field)
        if not isinstance(entities_raw, list):
            raise bad_request("can't parse entities JSON object")
        text, entities = raw, clean_entities(raw, entities_raw)
    elif parse_mode == "html":
        text, entities = parse_html(raw)
    elif parse_mode in ("", "none"):
        text, entities = raw, []
    elif parse_mode in ("markdown", "markdownv2"):
        raise bad_request("the emulator only implements the HTML parse mode")
    else:
        raise bad_request("unsupported parse_mode")
    if not caption and not text.strip():
        raise ApiError(400, errors.TEXT_EMPTY)
    if utf16_len(text) > (CAPTION_LIMIT if caption else TEXT_LIMIT):
        raise ApiError(400, errors.CAPTION_TOO_LONG if caption else errors.TEXT_TOO_LONG)
    return text, entities


def _inline_button(button: Any) -> JSON:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    if not button["text"]:
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if len(actions) != 1:
        raise bad_request("can't parse inline keyboard button: Exactly one of fields is needed")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise ApiError(400, errors.BUTTON_DATA_INVALID)
    if "url" in button and not str(button["url"]).strip():
        raise bad_request("BUTTON_URL_INVALID")
    return {key: value for key, value in button.items() if key == "text" or key in actions}


def reply_markup(params: Params) -> tuple[JSON | None, JSON | None]:
    """(inline keyboard kept on the message, reply keyboard shown to the user)."""
    markup = params.decoded("reply_markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'can\'t parse inline keyboard: field "inline_keyboard" must be an Array'
            )
        keyboard = [[_inline_button(button) for button in row] for row in rows]
        return {"inline_keyboard": [row for row in keyboard if row]}, None
    if any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
        return None, markup
    raise bad_request('can\'t find field "inline_keyboard"')


def image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, WebP or JPEG image; None if it is none of these."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return 512, 512
    if content.startswith(b"\xff\xd8"):
        return _jpeg_size(content)
    return None


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(content):
        if content[index] != 0xFF:
            return None
        marker = content[index + 1]
        length = int.from_bytes(content[index + 2 : index + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", content[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + length
    return None


def resolve_file(state: EmulatorState, params: Params, field: str, kind: str) -> StoredFile:
    """Store an upload, or find the file an id points at (URLs are recorded, never fetched)."""
    value = params.upload_or_id(field)
    if value is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, Upload):
        if kind == "photo":
            size = image_size(value.content)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            return state.store_file(value.content, kind, size=size)
        return state.store_file(
            value.content, kind, file_name=value.filename, mime_type=value.content_type
        )
    if value.startswith(("http://", "https://")):
        name = value.rsplit("/", 1)[-1] or None
        return state.store_file(b"", kind, file_name=name, size=(320, 320))
    stored = state.files.get(value)
    if stored is None:
        raise ApiError(400, errors.WRONG_FILE_ID)
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored
