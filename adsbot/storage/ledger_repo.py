"""SQL for the ledger. Never commits: the service's unit of work does (STYLE habit 4)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from adsbot.domain.ledger import AccountRef
from adsbot.storage.models.ledger import LedgerAccount, LedgerPosting, LedgerTransaction

accounts: Table = LedgerAccount.__table__  # type: ignore[assignment]
transactions: Table = LedgerTransaction.__table__  # type: ignore[assignment]
postings: Table = LedgerPosting.__table__  # type: ignore[assignment]


def _insert_or_ignore(session: AsyncSession, table: Any) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING` in the session's dialect."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


async def insert_transaction(
    session: AsyncSession, key: str, kind: str, fingerprint: str, now: datetime
) -> int | None:
    """Insert the transaction row; None if the key is taken.

    On PostgreSQL a concurrent insert of the same key waits here for the other transaction to end,
    so two requests with one key can never both pass this point.
    """
    statement = (
        _insert_or_ignore(session, transactions)
        .values(idempotency_key=key, kind=kind, fingerprint=fingerprint, created_at=now)
        .returning(transactions.c.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def find_transaction(session: AsyncSession, key: str) -> tuple[int, str] | None:
    """(id, fingerprint) of the transaction with this idempotency key."""
    row = (
        await session.execute(
            select(transactions.c.id, transactions.c.fingerprint).where(
                transactions.c.idempotency_key == key
            )
        )
    ).one_or_none()
    return None if row is None else (row.id, row.fingerprint)


async def _select_ids(session: AsyncSession, refs: Sequence[AccountRef]) -> dict[AccountRef, int]:
    key = tuple_(accounts.c.type, accounts.c.owner_id, accounts.c.currency)
    wanted = {(str(ref.type), ref.owner_id, ref.currency): ref for ref in refs}
    rows = await session.execute(
        select(accounts.c.id, accounts.c.type, accounts.c.owner_id, accounts.c.currency).where(
            key.in_(list(wanted))
        )
    )
    return {wanted[(row.type, row.owner_id, row.currency)]: row.id for row in rows}


async def account_ids(
    session: AsyncSession, refs: Sequence[AccountRef], now: datetime
) -> dict[AccountRef, int]:
    """The id of each account, creating the missing ones (`INSERT … ON CONFLICT DO NOTHING`)."""
    found = await _select_ids(session, refs)
    missing = sorted(ref for ref in refs if ref not in found)
    if missing:
        await session.execute(
            _insert_or_ignore(session, accounts),
            [
                {
                    "type": str(ref.type),
                    "owner_id": ref.owner_id,
                    "currency": ref.currency,
                    "balance": 0,
                    "created_at": now,
                }
                for ref in missing
            ],
        )
        found.update(await _select_ids(session, missing))
    return found


async def change_balance(
    session: AsyncSession, account_id: int, change: int, *, floor_at_zero: bool
) -> bool:
    """Add `change` to the cached balance; with `floor_at_zero`, only if it stays ≥ 0.

    One conditional UPDATE, never read-then-write: on SQLite there is no row lock to take, and on
    PostgreSQL the WHERE clause is re-checked on the row's latest version after a wait.
    """
    statement = (
        update(accounts)
        .where(accounts.c.id == account_id)
        .values(balance=accounts.c.balance + change)
    )
    if floor_at_zero and change < 0:
        statement = statement.where(accounts.c.balance >= -change)
    result = await session.execute(statement)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def insert_postings(
    session: AsyncSession, transaction_id: int, rows: Iterable[tuple[int, int, int]]
) -> None:
    """Insert (debit id, credit id, amount) postings of one transaction."""
    await session.execute(
        insert(postings),
        [
            {
                "transaction_id": transaction_id,
                "debit_account_id": debit,
                "credit_account_id": credit,
                "amount": amount,
            }
            for debit, credit, amount in rows
        ],
    )


async def balances(session: AsyncSession, refs: Sequence[AccountRef]) -> dict[AccountRef, int]:
    """Cached balances of the accounts that exist (absent accounts hold nothing)."""
    key = tuple_(accounts.c.type, accounts.c.owner_id, accounts.c.currency)
    wanted = {(str(ref.type), ref.owner_id, ref.currency): ref for ref in refs}
    rows = await session.execute(
        select(accounts.c.type, accounts.c.owner_id, accounts.c.currency, accounts.c.balance).where(
            key.in_(list(wanted))
        )
    )
    return {wanted[(row.type, row.owner_id, row.currency)]: row.balance for row in rows}
