"""Settlement and split (DESIGN section 2): nothing created, nothing lost, r = 0 is a settlement."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adsbot.domain.money import Money
from adsbot.domain.settlement import SettlementError, settlement, split, split_minor


def test_ten_percent_of_a_thousand_stars() -> None:
    result = settlement(Money.of(1000, "XTR"), 10)
    assert (result.refund.minor, result.publisher.minor, result.fee.minor) == (0, 900, 100)


def test_rounding_favours_the_publisher() -> None:
    assert split_minor(999, 0, 10) == (0, 900, 99)
    assert split_minor(1000, 1, 10) == (1, 900, 99)


def test_every_price_to_100_000_at_every_percentage_adds_up() -> None:
    """Exhaustive over prices 1..100,000 × fee 0..100 % (refund 0): fee is the exact floor."""
    for pct in range(101):
        for price in range(1, 100_001):
            refund, publisher, fee = split_minor(price, 0, pct)
            # fee = floor(price * pct / 100), checked without trusting `//`.
            assert fee * 100 <= price * pct < (fee + 1) * 100
            assert refund == 0 and publisher + fee == price and publisher >= 0


@pytest.mark.parametrize("price", [1, 2, 99, 100, 101, 999, 1000, 4321])
def test_every_refund_at_sampled_prices_adds_up(price: int) -> None:
    for pct in range(101):
        for refund in range(price + 1):
            back, publisher, fee = split_minor(price, refund, pct)
            gross = price - refund
            assert back == refund and back + publisher + fee == price
            assert 0 <= fee <= gross and fee * 100 <= gross * pct < (fee + 1) * 100


@given(
    price=st.integers(1, 10**15),
    data=st.data(),
    pct=st.integers(0, 100),
    code=st.sampled_from(["XTR", "EUR"]),
)
def test_large_prices_split_into_exactly_the_price(
    price: int, data: st.DataObject, pct: int, code: str
) -> None:
    refund = data.draw(st.integers(0, price))
    result = split(Money.of(price, code), Money.of(refund, code), pct)
    assert result.refund + result.publisher + result.fee == Money.of(price, code)
    assert min(result.refund.minor, result.publisher.minor, result.fee.minor) >= 0
    assert split(Money.of(price, code), Money.of(0, code), pct) == settlement(
        Money.of(price, code), pct
    )


@pytest.mark.parametrize(
    ("price", "refund", "pct"), [(0, 0, 10), (10, 11, 10), (10, -1, 10), (10, 0, 101), (10, 0, -1)]
)
def test_impossible_inputs_are_refused(price: int, refund: int, pct: int) -> None:
    with pytest.raises(SettlementError):
        split_minor(price, refund, pct)


def test_mixed_currencies_and_floats_are_refused() -> None:
    with pytest.raises(SettlementError):
        split(Money.of(10, "XTR"), Money.of(1, "EUR"), 10)
    with pytest.raises(SettlementError):
        split_minor(10, 0, 10.0)  # type: ignore[arg-type]
