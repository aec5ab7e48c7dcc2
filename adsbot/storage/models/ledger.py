"""The ledger's tables: accounts with a cached balance, transactions, postings (DESIGN section 4).

Postings and transactions are insert-only (triggers in `adsbot.storage.ledger_triggers`). Each
posting moves a positive amount from a debit account to a credit account, so every transaction sums
to zero by construction; an account's balance is its credits minus its debits, cached on the account
row in the same transaction as the postings.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from adsbot.storage.base import Base
from adsbot.storage.types import BigIntPK, UTCDateTime

# The account types that may go below zero (external accounts and write-offs); the CHECK is a last
# line of defence behind the service's conditional updates. Kept literal: it is part of the schema.
NEGATIVE_ALLOWED_SQL = (
    "'telegram_topups', 'payouts_paid', 'telegram_refunds', 'demo_funding', 'platform_writeoffs'"
)


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        # owner_id is 0 for accounts without an owner: NULLs would be distinct in a unique index.
        Index(
            "uq_ledger_accounts_type_owner_currency", "type", "owner_id", "currency", unique=True
        ),
        CheckConstraint(
            f"balance >= 0 OR type IN ({NEGATIVE_ALLOWED_SQL})", name="balance_allowed"
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    balance: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerTransaction(Base):
    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    # A unique index rather than a table constraint, so the audit's tamper test can drop it.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True, index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LedgerPosting(Base):
    __tablename__ = "ledger_postings"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_account_id <> credit_account_id", name="two_accounts"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_transactions.id"), index=True
    )
    debit_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_accounts.id"), index=True
    )
    credit_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_accounts.id"), index=True
    )
    amount: Mapped[int] = mapped_column(BigInteger)
