"""The emulator's records (users, chats, files, messages, callbacks) and their Bot API shapes.

Every `to_api` returns only fields that the Bot API defines and PTB 22 knows, so parsed objects
carry empty `api_kwargs`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JSON = dict[str, Any]

# Telegram's default when allowed_updates was never given: everything but these.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def _optional(**fields: Any) -> JSON:
    return {key: value for key, value in fields.items() if value is not None}


@dataclass
class EmuUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked_bot: bool = False

    def to_api(self) -> JSON:
        return {
            "id": self.id,
            "is_bot": self.is_bot,
            "first_name": self.first_name,
            **_optional(
                last_name=self.last_name,
                username=self.username,
                language_code=None if self.is_bot else self.language_code,
            ),
        }


@dataclass
class EmuChat:
    id: int
    type: str  # private, group, supergroup, channel
    title: str | None = None
    username: str | None = None
    user: EmuUser | None = None  # the other side of a private chat
    started: bool = False  # a private chat exists for the bot once the user wrote to it

    def to_api(self) -> JSON:
        if self.user is not None:
            return {
                "id": self.id,
                "type": "private",
                "first_name": self.user.first_name,
                **_optional(last_name=self.user.last_name, username=self.user.username),
            }
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title or "",
            **_optional(username=self.username),
        }

    def to_full_api(self) -> JSON:
        """The ChatFullInfo that getChat answers."""
        return {
            **self.to_api(),
            "accent_color_id": self.id % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    kind: str  # photo or document
    path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    def to_photo_sizes(self) -> list[JSON]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": len(self.content),
            }
        ]

    def to_document(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            **_optional(file_name=self.file_name, mime_type=self.mime_type),
            "file_size": len(self.content),
        }

    def to_file(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.path,
        }


@dataclass
class MessageContent:
    """What an edit can change; kept per version for the edit history."""

    text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None  # inline keyboards only: other markups are not stored here


@dataclass
class EmuMessage:
    chat: EmuChat
    message_id: int
    sender: EmuUser
    date: datetime
    content: MessageContent
    photo: StoredFile | None = None
    document: StoredFile | None = None
    reply_keyboard: JSON | None = None  # a ReplyKeyboardMarkup/Remove/ForceReply sent with it
    edit_date: datetime | None = None
    deleted: bool = False
    history: list[MessageContent] = field(default_factory=list)

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    def to_api(self) -> JSON:
        content = self.content
        body: JSON = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": int(self.date.timestamp()),
        }
        if self.edit_date is not None:
            body["edit_date"] = int(self.edit_date.timestamp())
        if content.text is not None:
            body["text"] = content.text
            if content.entities:
                body["entities"] = content.entities
        if self.photo is not None:
            body["photo"] = self.photo.to_photo_sizes()
        if self.document is not None:
            body["document"] = self.document.to_document()
        if content.caption:
            body["caption"] = content.caption
            if content.caption_entities:
                body["caption_entities"] = content.caption_entities
        if content.reply_markup is not None:
            body["reply_markup"] = content.reply_markup
        return body

    def to_view(self) -> JSON:
        """The driver's view: the API shape plus what only the emulator knows."""
        return {
            **self.to_api(),
            "deleted": self.deleted,
            "from_bot": self.from_bot,
            "reply_keyboard": self.reply_keyboard,
            "history": [
                {"text": old.text, "caption": old.caption, "reply_markup": old.reply_markup}
                for old in self.history
            ],
        }


@dataclass
class CallbackRecord:
    id: str
    bot_id: int
    user: EmuUser
    message: EmuMessage
    data: str
    created_at: datetime
    answered_at: datetime | None = None
    answer: JSON | None = None

    def to_view(self) -> JSON:
        return {
            "id": self.id,
            "user_id": self.user.id,
            "chat_id": self.message.chat.id,
            "message_id": self.message.message_id,
            "data": self.data,
            "created_at": self.created_at.timestamp(),
            "answered_at": None if self.answered_at is None else self.answered_at.timestamp(),
            "answer": self.answer,
        }


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: datetime | None = None
    last_error_message: str | None = None


@dataclass
class BotAccount:
    token: str
    user: EmuUser
    webhook: Webhook | None = None
    allowed_updates: list[str] | None = None
    pending: deque[JSON] = field(default_factory=deque)
    next_update_id: int = 1
    poll_generation: int = 0
    commands: dict[tuple[str, str], list[JSON]] = field(default_factory=dict)
    texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, language) -> text
    menu_button: JSON = field(default_factory=lambda: {"type": "default"})

    def wants(self, update_type: str) -> bool:
        if self.allowed_updates:
            return update_type in self.allowed_updates
        return update_type not in NOT_DELIVERED_BY_DEFAULT

    def to_me(self) -> JSON:
        return {
            **self.user.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
