"""Money as people read it: `1.250,50 €` / `€1,250.50` for euros, `⭐ 1.250` / `⭐ 1,250` for Stars.

Babel knows how each language writes euros (Italian puts the sign after the number with a no-break
space). Stars (XTR) are not an ISO currency, so Babel has no symbol for them: we write the star
ourselves and borrow only Babel's digit grouping.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal

from adsbot.domain.money import Money

STAR = "⭐"
# Babel locale per bot language; Italian is the default for anything we do not know.
_LOCALES = {"it": "it_IT", "en": "en"}


def _locale(language: str) -> str:
    return _LOCALES.get(language, _LOCALES["it"])


def format_money(money: Money, language: str) -> str:
    """`money` written for a user of `language` (`it` or `en`; anything else is Italian)."""
    locale = _locale(language)
    if money.code == "XTR":
        # Decimal keeps the integer exact however large; grouping follows the language.
        digits = format_decimal(Decimal(abs(money.minor)), locale=locale)
        sign = "-" if money.minor < 0 else ""
        return f"{sign}{STAR} {digits}"
    amount = Decimal(money.minor).scaleb(-money.currency.exponent)
    return format_currency(amount, money.code, locale=locale)
