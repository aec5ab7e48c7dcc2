"""Ledger rules that need no database: who may go negative, what a posting and a request are."""

from __future__ import annotations

import pytest

from adsbot.domain.ledger import (
    AccountRef,
    AccountType,
    LedgerRuleError,
    Posting,
    TransferRequest,
    apply_changes,
    may_go_negative,
    net_changes,
)
from adsbot.domain.money import Money

FUNDS = AccountRef.of(AccountType.USER_FUNDS, "XTR", 1)
ESCROW = AccountRef.of(AccountType.ORDER_ESCROW, "XTR", 9)
TOPUPS = AccountRef.of(AccountType.TELEGRAM_TOPUPS, "XTR")


def test_only_external_accounts_and_writeoffs_may_go_negative() -> None:
    negative = {t.value for t in AccountType if may_go_negative(t)}
    assert negative == {
        "telegram_topups",
        "payouts_paid",
        "telegram_refunds",
        "demo_funding",
        "platform_writeoffs",
    }
    assert len(AccountType) == 12


def test_user_and_order_accounts_need_an_owner_and_platform_accounts_have_none() -> None:
    with pytest.raises(LedgerRuleError):
        AccountRef.of(AccountType.USER_FUNDS, "XTR")
    with pytest.raises(LedgerRuleError):
        AccountRef.of(AccountType.PLATFORM_FEES, "XTR", 5)
    with pytest.raises(ValueError):
        AccountRef.of(AccountType.USER_FUNDS, "USD", 1)
    assert AccountRef("user_funds", 1, "XTR") == FUNDS  # type: ignore[arg-type]


def test_a_request_has_postings_in_one_currency_and_a_bounded_key() -> None:
    posting = Posting(TOPUPS, FUNDS, Money.of(5, "XTR"))
    eur = Posting(
        AccountRef.of(AccountType.TELEGRAM_TOPUPS, "EUR"),
        AccountRef.of(AccountType.USER_FUNDS, "EUR", 1),
        Money.of(5, "EUR"),
    )
    with pytest.raises(LedgerRuleError):
        TransferRequest("k", "topup", ())
    with pytest.raises(LedgerRuleError):
        TransferRequest("k", "topup", (posting, eur))
    with pytest.raises(LedgerRuleError):
        TransferRequest("k" * 201, "topup", (posting,))


def test_the_fingerprint_changes_with_any_content_but_not_the_key() -> None:
    one = TransferRequest("a", "topup", (Posting(TOPUPS, FUNDS, Money.of(5, "XTR")),))
    same = TransferRequest("b", "topup", (Posting(TOPUPS, FUNDS, Money.of(5, "XTR")),))
    more = TransferRequest("a", "topup", (Posting(TOPUPS, FUNDS, Money.of(6, "XTR")),))
    kind = TransferRequest("a", "refund", (Posting(TOPUPS, FUNDS, Money.of(5, "XTR")),))
    assert one.fingerprint() == same.fingerprint()
    assert len({one.fingerprint(), more.fingerprint(), kind.fingerprint()}) == 3


def test_net_changes_sum_to_zero_and_judge_a_chain_as_a_whole() -> None:
    chain = [
        Posting(FUNDS, ESCROW, Money.of(10, "XTR")),
        Posting(ESCROW, TOPUPS, Money.of(10, "XTR")),
    ]
    assert net_changes(chain) == {FUNDS: -10, TOPUPS: 10}
    assert apply_changes({FUNDS: 10}, chain) == {FUNDS: 0, TOPUPS: 10}
    with pytest.raises(LedgerRuleError):
        apply_changes({FUNDS: 9}, chain)
