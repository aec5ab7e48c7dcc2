"""Ledger rules (DESIGN section 4): account types, who may go negative, postings and requests.

Each posting moves a positive amount from one account (debit) to another (credit), so a transaction
sums to zero by construction. An account's balance is its credits minus its debits.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from adsbot.domain.money import Money, currency

# Idempotency keys are short structured strings (`topup:<charge>`, `order:<id>:hold`, ...).
MAX_KEY_LENGTH = 200
MAX_KIND_LENGTH = 64
NO_OWNER = 0  # owner of platform and external accounts (a NULL would defeat the unique key)


class AccountType(StrEnum):
    USER_FUNDS = "user_funds"  # top-ups: spendable, not withdrawable
    USER_EARNINGS = "user_earnings"  # from settled orders: withdrawable, also spendable
    ORDER_ESCROW = "order_escrow"  # one per order, owner = order id
    PLATFORM_FEES = "platform_fees"
    PENDING_PAYOUTS = "pending_payouts"  # withdrawals waiting for an admin
    REFUND_PENDING = "refund_pending"  # a Stars refund between our decision and Telegram's answer
    USER_DEBT = "user_debt"  # funds Telegram refunded after they were spent
    PLATFORM_WRITEOFFS = "platform_writeoffs"  # debt an admin wrote off
    # External accounts: the world outside the ledger, whose balances mirror money coming in
    # (negative) or going out (positive).
    TELEGRAM_TOPUPS = "telegram_topups"
    PAYOUTS_PAID = "payouts_paid"
    TELEGRAM_REFUNDS = "telegram_refunds"
    DEMO_FUNDING = "demo_funding"  # the sandbox's source of play money


EXTERNAL_TYPES = frozenset(
    {
        AccountType.TELEGRAM_TOPUPS,
        AccountType.PAYOUTS_PAID,
        AccountType.TELEGRAM_REFUNDS,
        AccountType.DEMO_FUNDING,
    }
)
NEGATIVE_ALLOWED = EXTERNAL_TYPES | {AccountType.PLATFORM_WRITEOFFS}
# Accounts that belong to someone (a user, an order); the others are one per currency.
OWNED_TYPES = frozenset(
    {
        AccountType.USER_FUNDS,
        AccountType.USER_EARNINGS,
        AccountType.ORDER_ESCROW,
        AccountType.PENDING_PAYOUTS,
        AccountType.REFUND_PENDING,
        AccountType.USER_DEBT,
    }
)


def may_go_negative(account_type: AccountType) -> bool:
    """Only external accounts and write-offs may go below zero; every other balance may not."""
    return account_type in NEGATIVE_ALLOWED


class LedgerRuleError(ValueError):
    """A posting or request that breaks a ledger rule before it reaches the database."""


@dataclass(frozen=True, slots=True, order=True)
class AccountRef:
    """Names an account: its type, its owner (user or order id; `NO_OWNER` for the platform's
    and the outside world's accounts) and its currency code."""

    type: AccountType
    owner_id: int
    currency: str

    def __post_init__(self) -> None:
        # Accept the plain string a database row carries ("user_funds"); refuse unknown types.
        object.__setattr__(self, "type", AccountType(self.type))
        currency(self.currency)  # refuses unknown codes
        if isinstance(self.owner_id, bool) or not isinstance(self.owner_id, int):
            raise LedgerRuleError("owner_id must be an int")
        if self.type in OWNED_TYPES and self.owner_id == NO_OWNER:
            raise LedgerRuleError(f"{self.type} accounts belong to an owner")
        if self.type not in OWNED_TYPES and self.owner_id != NO_OWNER:
            raise LedgerRuleError(f"{self.type} accounts have no owner")

    @classmethod
    def of(cls, account_type: AccountType, code: str, owner_id: int = NO_OWNER) -> AccountRef:
        return cls(account_type, owner_id, code)

    def __str__(self) -> str:
        owner = f":{self.owner_id}" if self.owner_id != NO_OWNER else ""
        return f"{self.type}{owner}/{self.currency}"


@dataclass(frozen=True, slots=True)
class Posting:
    """Move `amount` (> 0) out of `debit` into `credit`; both accounts in the amount's currency."""

    debit: AccountRef
    credit: AccountRef
    amount: Money

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Money):
            raise TypeError("Posting.amount must be Money")
        if self.amount.minor <= 0:
            raise LedgerRuleError("a posting moves a positive amount")
        if self.debit == self.credit:
            raise LedgerRuleError("a posting needs two different accounts")
        if self.debit.currency != self.amount.code or self.credit.currency != self.amount.code:
            raise LedgerRuleError("a posting's accounts must be in the amount's currency")


@dataclass(frozen=True, slots=True)
class TransferRequest:
    """One ledger transaction: an idempotency key, a kind (`topup`, `order_hold`, ...) and one or
    more postings in a single currency."""

    key: str
    kind: str
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        if not self.key or len(self.key) > MAX_KEY_LENGTH:
            raise LedgerRuleError(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters")
        if not self.kind or len(self.kind) > MAX_KIND_LENGTH:
            raise LedgerRuleError(f"a kind has 1 to {MAX_KIND_LENGTH} characters")
        object.__setattr__(self, "postings", tuple(self.postings))
        if not self.postings:
            raise LedgerRuleError("a transfer has at least one posting")
        if len({posting.amount.code for posting in self.postings}) != 1:
            raise LedgerRuleError("a transfer moves one currency")

    @property
    def currency(self) -> str:
        return self.postings[0].amount.code

    def accounts(self) -> list[AccountRef]:
        """Every account the request touches, each once, in a stable order."""
        return sorted({ref for p in self.postings for ref in (p.debit, p.credit)})

    def fingerprint(self) -> str:
        """A hash of the request's content: a repeat of a key must carry the same content."""
        canonical = json.dumps(
            {
                "kind": self.kind,
                "postings": [
                    [str(p.debit), str(p.credit), p.amount.minor, p.amount.code]
                    for p in self.postings
                ],
            },
            separators=(",", ":"),
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def net_changes(postings: Iterable[Posting]) -> dict[AccountRef, int]:
    """Each account's balance change (credits − debits) over the postings; zero changes dropped.

    The changes always sum to zero; a transfer is judged by them, so a chain A → B → C within one
    transaction never needs B to hold the money beforehand.
    """
    changes: defaultdict[AccountRef, int] = defaultdict(int)
    for posting in postings:
        changes[posting.debit] -= posting.amount.minor
        changes[posting.credit] += posting.amount.minor
    return {ref: change for ref, change in changes.items() if change != 0}


def apply_changes(
    balances: Mapping[AccountRef, int], postings: Iterable[Posting]
) -> dict[AccountRef, int]:
    """The balances after the postings, or `LedgerRuleError` if one would go below zero where
    that is forbidden. A pure model of what the database does."""
    after = dict(balances)
    for ref, change in net_changes(postings).items():
        new = after.get(ref, 0) + change
        if new < 0 and not may_go_negative(ref.type):
            raise LedgerRuleError(f"{ref} would go below zero")
        after[ref] = new
    return after
