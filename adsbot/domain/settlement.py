"""How an order's price is divided (DESIGN section 2): settlement, and an admin's split ruling.

A normal settlement pays the publisher `price − fee` and the platform `fee`, with
`fee = price * fee_percent // 100`. A dispute ruling refunds `r` (0 ≤ r ≤ price) to the advertiser
and settles the rest the same way: `gross = price − r`, `fee = gross * fee_percent // 100`,
publisher = `gross − fee`. So `refund + publisher + fee == price` always, and a split with r = 0
is a normal settlement. Rounding (the floor) always favours the publisher.
"""

from __future__ import annotations

from dataclasses import dataclass

from adsbot.domain.money import Money


class SettlementError(ValueError):
    """An impossible price, refund or fee percentage."""


@dataclass(frozen=True, slots=True)
class Split:
    """Where an order's price goes: back to the advertiser, to the publisher, to the platform."""

    refund: Money
    publisher: Money
    fee: Money


def split_minor(price: int, refund: int, fee_percent: int) -> tuple[int, int, int]:
    """(refund, publisher, fee) in minor units: the arithmetic behind `split`."""
    for name, value in (("price", price), ("refund", refund), ("fee_percent", fee_percent)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettlementError(f"{name} must be an int")
    if price <= 0:
        raise SettlementError("price must be positive")
    if not 0 <= refund <= price:
        raise SettlementError("refund must be between 0 and the price")
    if not 0 <= fee_percent <= 100:
        raise SettlementError("fee percentage must be between 0 and 100")
    gross = price - refund
    fee = gross * fee_percent // 100
    return refund, gross - fee, fee


def split(price: Money, refund: Money, fee_percent: int) -> Split:
    """A dispute ruling: refund `refund` to the advertiser, settle the rest."""
    if refund.currency != price.currency:
        raise SettlementError("price and refund must be in one currency")
    back, publisher, fee = split_minor(price.minor, refund.minor, fee_percent)
    unit = price.currency
    return Split(Money(back, unit), Money(publisher, unit), Money(fee, unit))


def settlement(price: Money, fee_percent: int) -> Split:
    """A normal settlement after the dispute window: publisher `price − fee`, platform `fee`."""
    return split(price, Money(0, price.currency), fee_percent)
