"""Dates and numbers written the way each language writes them (Babel), in the user's zone.

Money has its own module (`adsbot.bot.money_format`): Stars are not an ISO currency.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal

logger = logging.getLogger(__name__)

_LOCALES = {"it": "it_IT", "en": "en_GB"}


@cache
def _zone(name: str) -> tzinfo:
    """The zone, or UTC if this machine cannot load it (a zone stored on a machine with a
    newer tz database): a screen with a time must still open, so the user can fix it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("Time zone %r cannot be loaded here; showing UTC", name)
        return UTC


def locale_of(language: str) -> str:
    return _LOCALES.get(language, _LOCALES["it"])


def format_when(moment: datetime, language: str, time_zone: str) -> str:
    """`12 gen 2026, 15:30` / `12 Jan 2026, 15:30`, in the user's time zone."""
    local = moment.astimezone(_zone(time_zone))
    return babel_datetime(local, "d MMM y, HH:mm", locale=locale_of(language))


def format_number(value: int, language: str) -> str:
    """`1.250` / `1,250`."""
    return format_decimal(value, locale=locale_of(language))
