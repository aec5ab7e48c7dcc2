"""Inline keyboards and the callback data scheme.

Callback data carries keys and ids, never facts, and stays under Telegram's 64 bytes:

    m:<key>              a main-menu entry (`m:market`, ...); `m:home` is the main menu itself
    set:<what>[:<arg>]   settings (`set:lang:en`, `set:tz:Europe/London`, `set:mute:news:1`)
    help:<what>          help screens (`help:pub`, `help:terms`)
    adm:<what>[:<arg>]   admin screens and actions (`adm:users`, `adm:dur:24`)
    cancel               abandon what the bot is waiting for

Labels come from the catalogues; buttons are pressed by anyone who can see them, any time later,
so every handler re-reads the user and re-checks rights on every press.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adsbot.bot.i18n import t

MAX_CALLBACK_BYTES = 64
HOME = "m:home"
CANCEL = "cancel"

# The main menu (DESIGN section 2), in display order; `admin` is shown to admins only.
MENU_KEYS: tuple[str, ...] = (
    "market",
    "campaigns",
    "channels",
    "wallet",
    "stats",
    "settings",
    "help",
    "admin",
)

Row = list[InlineKeyboardButton]


def button(language: str, key: str, data: str, **params: object) -> InlineKeyboardButton:
    """A callback button labelled with catalogue text `key`."""
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return InlineKeyboardButton(t(language, key, **params), callback_data=data)


def raw_button(label: str, data: str) -> InlineKeyboardButton:
    """A button whose label is data (a time zone name), not a catalogue text."""
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return InlineKeyboardButton(label, callback_data=data)


def pairs(buttons: Sequence[InlineKeyboardButton]) -> list[Row]:
    """Two buttons a row (labels stay readable on a phone)."""
    return [list(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]


def main_menu(language: str, *, is_admin: bool) -> InlineKeyboardMarkup:
    keys = [key for key in MENU_KEYS if key != "admin" or is_admin]
    return InlineKeyboardMarkup(pairs([button(language, f"menu.{k}", f"m:{k}") for k in keys]))


def with_back(language: str, rows: Sequence[Row], back: str = HOME) -> InlineKeyboardMarkup:
    """The rows plus a back button (to the main menu unless another parent is given)."""
    return InlineKeyboardMarkup([*rows, [button(language, "nav.back", back)]])


def cancel_only(language: str) -> InlineKeyboardMarkup:
    """Under a prompt: the only way out besides answering (or /cancel)."""
    return InlineKeyboardMarkup([[button(language, "nav.cancel", CANCEL)]])
