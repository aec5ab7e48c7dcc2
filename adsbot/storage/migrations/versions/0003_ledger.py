"""The ledger: accounts with cached balances, insert-only transactions and postings.

Revision ID: 0003_ledger
Revises: 0002_runtime
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adsbot.storage import ledger_triggers
from adsbot.storage.types import BigIntPK, UTCDateTime

revision = "0003_ledger"
down_revision = "0002_runtime"
branch_labels = None
depends_on = None

NEGATIVE_ALLOWED_SQL = (
    "'telegram_topups', 'payouts_paid', 'telegram_refunds', 'demo_funding', 'platform_writeoffs'"
)


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            f"balance >= 0 OR type IN ({NEGATIVE_ALLOWED_SQL})",
            name=op.f("ck_ledger_accounts_balance_allowed"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
    )
    op.create_index(
        "uq_ledger_accounts_type_owner_currency",
        "ledger_accounts",
        ["type", "owner_id", "currency"],
        unique=True,
    )
    op.create_table(
        "ledger_transactions",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
    )
    op.create_index(
        op.f("ix_ledger_transactions_idempotency_key"),
        "ledger_transactions",
        ["idempotency_key"],
        unique=True,
    )
    op.create_index(op.f("ix_ledger_transactions_kind"), "ledger_transactions", ["kind"])
    op.create_index(
        op.f("ix_ledger_transactions_created_at"), "ledger_transactions", ["created_at"]
    )
    op.create_table(
        "ledger_postings",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), nullable=False),
        sa.Column("debit_account_id", sa.BigInteger(), nullable=False),
        sa.Column("credit_account_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_ledger_postings_amount_positive")),
        sa.CheckConstraint(
            "debit_account_id <> credit_account_id", name=op.f("ck_ledger_postings_two_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_postings_transaction_id_ledger_transactions"),
        ),
        sa.ForeignKeyConstraint(
            ["debit_account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_postings_debit_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_postings_credit_account_id_ledger_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
    )
    for column in ("transaction_id", "debit_account_id", "credit_account_id"):
        op.create_index(op.f(f"ix_ledger_postings_{column}"), "ledger_postings", [column])
    # Insert-only: no UPDATE or DELETE (nor TRUNCATE on PostgreSQL) of money already moved.
    for statement in ledger_triggers.create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in ledger_triggers.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("ledger_postings")
    op.drop_table("ledger_transactions")
    op.drop_table("ledger_accounts")
