"""Small builders shared by the ledger tests."""

from __future__ import annotations

from datetime import UTC, datetime

from adsbot.domain.ledger import AccountRef, AccountType, Posting
from adsbot.domain.money import Money

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALICE, BOB = 2**40 + 1, 2**40 + 2  # Telegram ids are 64-bit

TOPUPS = AccountRef.of(AccountType.TELEGRAM_TOPUPS, "XTR")
FEES = AccountRef.of(AccountType.PLATFORM_FEES, "XTR")
WRITEOFFS = AccountRef.of(AccountType.PLATFORM_WRITEOFFS, "XTR")


def funds(user: int, code: str = "XTR") -> AccountRef:
    return AccountRef.of(AccountType.USER_FUNDS, code, user)


def earnings(user: int, code: str = "XTR") -> AccountRef:
    return AccountRef.of(AccountType.USER_EARNINGS, code, user)


def escrow(order: int, code: str = "XTR") -> AccountRef:
    return AccountRef.of(AccountType.ORDER_ESCROW, code, order)


def stars(amount: int) -> Money:
    return Money.of(amount, "XTR")


def move(debit: AccountRef, credit: AccountRef, amount: int) -> Posting:
    return Posting(debit, credit, Money.of(amount, debit.currency))
