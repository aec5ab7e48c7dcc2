"""Money as an exact integer of minor units in one currency (DESIGN section 4).

A `Money` never holds a float, never mixes currencies and never silently rounds: every value the
ledger moves is built here. Formatting for people lives in `adsbot.bot.money_format`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

# Amounts are stored in 64-bit integer columns: refuse anything a column could not hold.
MAX_MINOR_UNITS = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Currency:
    """A currency code and its exponent (minor units per major unit = 10**exponent)."""

    code: str
    exponent: int


XTR = Currency("XTR", 0)  # Telegram Stars: whole stars only
EUR = Currency("EUR", 2)  # cents

CURRENCIES: dict[str, Currency] = {currency.code: currency for currency in (XTR, EUR)}


def currency(code: str) -> Currency:
    """The currency with this code; `ValueError` for any currency adsbot does not handle."""
    try:
        return CURRENCIES[code]
    except KeyError:
        raise ValueError(f"unsupported currency: {code!r}") from None


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


def _exact_int(value: object, what: str) -> int:
    # bool is an int subclass, and True stars is a bug, not one star.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return value


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An integer number of minor units of one currency. Refuses floats and mixed currencies."""

    minor: int
    currency: Currency

    def __post_init__(self) -> None:
        _exact_int(self.minor, "Money.minor")
        if not isinstance(self.currency, Currency):
            raise TypeError("Money.currency must be a Currency")
        if abs(self.minor) > MAX_MINOR_UNITS:
            raise ValueError("amount does not fit in 64 bits")

    @classmethod
    def of(cls, minor: int, code: str) -> Self:
        """`Money.of(1250, "XTR")`: minor units and a currency code."""
        return cls(minor, currency(code))

    @classmethod
    def zero(cls, code: str | Currency) -> Self:
        return cls(0, code if isinstance(code, Currency) else currency(code))

    @property
    def code(self) -> str:
        return self.currency.code

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.code} and {other.code} cannot be combined")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.minor + self._same(other).minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.minor - self._same(other).minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        return Money(self.minor * _exact_int(factor, "factor"), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.minor < self._same(other).minor

    def __le__(self, other: Money) -> bool:
        return self.minor <= self._same(other).minor

    def __gt__(self, other: Money) -> bool:
        return self.minor > self._same(other).minor

    def __ge__(self, other: Money) -> bool:
        return self.minor >= self._same(other).minor

    def __bool__(self) -> bool:
        return self.minor != 0

    def __str__(self) -> str:
        # A plain, locale-free form for logs and errors ("12.50 EUR", "1250 XTR").
        exponent = self.currency.exponent
        if exponent == 0:
            return f"{self.minor} {self.code}"
        sign = "-" if self.minor < 0 else ""
        whole, fraction = divmod(abs(self.minor), 10**exponent)
        return f"{sign}{whole}.{fraction:0{exponent}d} {self.code}"
