"""Money refuses floats, non-integers and mixed currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adsbot.domain.money import EUR, XTR, CurrencyMismatch, Money, currency


def test_money_knows_its_currency_exponent() -> None:
    assert Money.of(1250, "XTR").currency == XTR and XTR.exponent == 0
    assert Money.of(125050, "EUR").currency == EUR and EUR.exponent == 2
    assert str(Money.of(125050, "EUR")) == "1250.50 EUR"
    assert str(Money.of(-5, "EUR")) == "-0.05 EUR"
    assert str(Money.of(1250, "XTR")) == "1250 XTR"


@pytest.mark.parametrize("amount", [1.5, 1.0, Decimal(1), "1", True, None])
def test_money_refuses_anything_but_an_int(amount: object) -> None:
    with pytest.raises(TypeError):
        Money(amount, XTR)  # type: ignore[arg-type]


def test_money_refuses_unknown_currencies_and_64_bit_overflow() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        currency("USD")
    with pytest.raises(ValueError, match="64 bits"):
        Money(2**63, XTR)


def test_arithmetic_stays_in_one_currency() -> None:
    assert Money.of(5, "XTR") + Money.of(7, "XTR") == Money.of(12, "XTR")
    assert Money.of(5, "XTR") - Money.of(7, "XTR") == Money.of(-2, "XTR")
    assert 3 * Money.of(5, "EUR") == Money.of(15, "EUR")
    assert Money.of(5, "XTR") < Money.of(6, "XTR")
    with pytest.raises(CurrencyMismatch):
        Money.of(5, "XTR") + Money.of(5, "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of(5, "XTR") < Money.of(5, "EUR")
    with pytest.raises(TypeError):
        Money.of(5, "XTR") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money.of(5, "XTR") + 5  # type: ignore[operator]
