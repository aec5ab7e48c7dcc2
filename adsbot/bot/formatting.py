"""Dates and numbers written the way each language writes them (Babel), in the user's zone.

Money has its own module (`adsbot.bot.money_format`): Stars are not an ISO currency.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal

_LOCALES = {"it": "it_IT", "en": "en_GB"}


def locale_of(language: str) -> str:
    return _LOCALES.get(language, _LOCALES["it"])


def format_when(moment: datetime, language: str, time_zone: str) -> str:
    """`12 gen 2026, 15:30` / `12 Jan 2026, 15:30`, in the user's time zone."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return babel_datetime(local, "d MMM y, HH:mm", locale=locale_of(language))


def format_number(value: int, language: str) -> str:
    """`1.250` / `1,250`."""
    return format_decimal(value, locale=locale_of(language))
