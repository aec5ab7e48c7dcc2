"""Money as Italian and English users read it (DESIGN section 4)."""

from __future__ import annotations

import pytest

from adsbot.bot.money_format import format_money
from adsbot.domain.money import Money


@pytest.mark.parametrize(
    ("minor", "code", "language", "expected"),
    [
        (125050, "EUR", "it", "1.250,50\u00a0€"),
        (125050, "EUR", "en", "€1,250.50"),
        (5, "EUR", "it", "0,05\u00a0€"),
        (1250, "XTR", "it", "⭐ 1.250"),
        (1250, "XTR", "en", "⭐ 1,250"),
        (1250000, "XTR", "it", "⭐ 1.250.000"),
        (-1250, "XTR", "it", "-⭐ 1.250"),
        (1250, "XTR", "de", "⭐ 1.250"),  # unknown languages read Italian
    ],
)
def test_money_is_formatted_per_language(
    minor: int, code: str, language: str, expected: str
) -> None:
    assert format_money(Money.of(minor, code), language) == expected
