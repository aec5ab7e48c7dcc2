"""Read-only views of what the emulator holds, as the driver returns them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adsbot.sandbox.emulator.render import render_html

JSON = dict[str, Any]


@dataclass(frozen=True)
class UserRef:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None

    @property
    def chat_id(self) -> int:
        """A private chat's id is the user's id."""
        return self.id


@dataclass(frozen=True)
class MessageView:
    """A message as it stands now (edits applied), with what the bot attached to it."""

    raw: JSON

    @property
    def chat_id(self) -> int:
        return int(self.raw["chat"]["id"])

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def text(self) -> str | None:
        return self.raw.get("text")

    @property
    def caption(self) -> str | None:
        return self.raw.get("caption")

    @property
    def entities(self) -> list[JSON]:
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])

    @property
    def html(self) -> str:
        """Text or caption rendered back to Telegram HTML."""
        return render_html(self.text or self.caption or "", self.entities)

    @property
    def from_bot(self) -> bool:
        return bool(self.raw.get("from_bot"))

    @property
    def edited(self) -> bool:
        return "edit_date" in self.raw

    @property
    def deleted(self) -> bool:
        return bool(self.raw.get("deleted"))

    @property
    def history(self) -> list[JSON]:
        return list(self.raw.get("history") or [])

    @property
    def has_photo(self) -> bool:
        return "photo" in self.raw

    @property
    def document(self) -> JSON | None:
        return self.raw.get("document")

    @property
    def keyboard(self) -> list[list[JSON]]:
        """The inline keyboard's rows of buttons."""
        return list((self.raw.get("reply_markup") or {}).get("inline_keyboard") or [])

    @property
    def buttons(self) -> list[JSON]:
        return [button for row in self.keyboard for button in row]

    @property
    def button_labels(self) -> list[str]:
        return [str(button["text"]) for button in self.buttons]

    @property
    def reply_keyboard(self) -> JSON | None:
        """A ReplyKeyboardMarkup, ReplyKeyboardRemove or ForceReply sent with the message."""
        return self.raw.get("reply_keyboard")

    def button(self, label: str) -> JSON:
        for button in self.buttons:
            if button["text"] == label:
                return button
        raise LookupError(f"no button {label!r} among {self.button_labels}")


@dataclass(frozen=True)
class CallbackView:
    raw: JSON

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def data(self) -> str:
        return str(self.raw["data"])

    @property
    def answered(self) -> bool:
        return self.raw.get("answered_at") is not None

    @property
    def answer(self) -> JSON | None:
        """What the bot passed to answerCallbackQuery (text, show_alert, url, cache_time)."""
        return self.raw.get("answer")
