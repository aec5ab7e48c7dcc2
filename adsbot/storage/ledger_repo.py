"""SQL for the ledger. Never commits: the service's unit of work does (STYLE habit 4).

The transfer's statements are built once, here, with bound parameters, and run as Core on the
session's connection: building a statement and its cache key on every call cost more than the
statement itself (see the Ledger section of docs/PERFORMANCE.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from adsbot.domain.ledger import AccountRef
from adsbot.storage.models.ledger import LedgerAccount, LedgerPosting, LedgerTransaction

accounts: Table = LedgerAccount.__table__  # type: ignore[assignment]
transactions: Table = LedgerTransaction.__table__  # type: ignore[assignment]
postings: Table = LedgerPosting.__table__  # type: ignore[assignment]

_DIALECTS: dict[str, Any] = {"sqlite": sqlite, "postgresql": postgresql}
_ACCOUNT_KEY = tuple_(accounts.c.type, accounts.c.owner_id, accounts.c.currency)
# bindparam names must differ from column names in UPDATE statements.
_IS_ACCOUNT = (
    (accounts.c.type == bindparam("a_type"))
    & (accounts.c.owner_id == bindparam("a_owner"))
    & (accounts.c.currency == bindparam("a_currency"))
)

_INSERT_TRANSACTION = {
    name: module.insert(transactions).on_conflict_do_nothing().returning(transactions.c.id)
    for name, module in _DIALECTS.items()
}
_FIND_TRANSACTION = select(transactions.c.id, transactions.c.fingerprint).where(
    transactions.c.idempotency_key == bindparam("key")
)
_INSERT_ACCOUNTS = {
    name: module.insert(accounts).on_conflict_do_nothing() for name, module in _DIALECTS.items()
}
_SELECT_IDS = select(
    accounts.c.id, accounts.c.type, accounts.c.owner_id, accounts.c.currency
).where(_ACCOUNT_KEY.in_(bindparam("keys", expanding=True)))
_BALANCES = select(
    accounts.c.type, accounts.c.owner_id, accounts.c.currency, accounts.c.balance
).where(_ACCOUNT_KEY.in_(bindparam("keys", expanding=True)))
_ADD_BY_ID = (
    update(accounts)
    .where(accounts.c.id == bindparam("account_id"))
    .values(balance=accounts.c.balance + bindparam("change"))
)
_ADD_BY_ID_FLOORED = _ADD_BY_ID.where(accounts.c.balance + bindparam("change") >= 0)
_TAKE_BY_KEY = (
    update(accounts)
    .where(_IS_ACCOUNT, accounts.c.balance >= bindparam("amount"))
    .values(balance=accounts.c.balance - bindparam("amount"))
    .returning(accounts.c.id)
)
_upsert = sqlite.insert(accounts)
_ADD_BY_KEY = _upsert.on_conflict_do_update(
    index_elements=[accounts.c.type, accounts.c.owner_id, accounts.c.currency],
    set_={"balance": accounts.c.balance + _upsert.excluded.balance},
).returning(accounts.c.id, accounts.c.type, accounts.c.owner_id, accounts.c.currency)
_INSERT_POSTINGS = insert(postings)


async def insert_transaction(
    connection: AsyncConnection, key: str, kind: str, fingerprint: str, now: datetime
) -> int | None:
    """Insert the transaction row; None if the key is taken.

    On PostgreSQL a concurrent insert of the same key waits here for the other transaction to end,
    so two requests with one key can never both pass this point.
    """
    result = await connection.execute(
        _INSERT_TRANSACTION[connection.dialect.name],
        {"idempotency_key": key, "kind": kind, "fingerprint": fingerprint, "created_at": now},
    )
    found: int | None = result.scalar_one_or_none()
    return found


async def find_transaction(connection: AsyncConnection, key: str) -> tuple[int, str] | None:
    """(id, fingerprint) of the transaction with this idempotency key."""
    row = (await connection.execute(_FIND_TRANSACTION, {"key": key})).one_or_none()
    return None if row is None else (row.id, row.fingerprint)


async def _select_ids(
    connection: AsyncConnection, refs: Sequence[AccountRef]
) -> dict[AccountRef, int]:
    wanted = {(str(ref.type), ref.owner_id, ref.currency): ref for ref in refs}
    rows = await connection.execute(_SELECT_IDS, {"keys": list(wanted)})
    return {wanted[(row.type, row.owner_id, row.currency)]: row.id for row in rows}


async def account_ids(
    connection: AsyncConnection, refs: Sequence[AccountRef], now: datetime
) -> dict[AccountRef, int]:
    """The id of each account, creating the missing ones (`INSERT … ON CONFLICT DO NOTHING`)."""
    found = await _select_ids(connection, refs)
    missing = sorted(ref for ref in refs if ref not in found)
    if missing:
        await connection.execute(
            _INSERT_ACCOUNTS[connection.dialect.name],
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
        found.update(await _select_ids(connection, missing))
    return found


async def change_balance(
    connection: AsyncConnection, account_id: int, change: int, *, floor_at_zero: bool
) -> bool:
    """Add `change` to the cached balance; with `floor_at_zero`, only if it stays ≥ 0.

    One conditional UPDATE, never read-then-write: on SQLite there is no row lock to take, and on
    PostgreSQL the WHERE clause is re-checked on the row's latest version after a wait.
    """
    statement = _ADD_BY_ID_FLOORED if floor_at_zero and change < 0 else _ADD_BY_ID
    result = await connection.execute(statement, {"account_id": account_id, "change": change})
    return result.rowcount == 1


async def take_from(connection: AsyncConnection, ref: AccountRef, amount: int) -> int | None:
    """Subtract `amount` from a balance that may not go negative, the account found by its key:
    its id, or None if it holds less (an account that does not exist holds nothing).

    One conditional UPDATE, never read-then-write. SQLite only (see `add_to`).
    """
    result = await connection.execute(
        _TAKE_BY_KEY,
        {
            "a_type": str(ref.type),
            "a_owner": ref.owner_id,
            "a_currency": ref.currency,
            "amount": amount,
        },
    )
    found: int | None = result.scalar_one_or_none()
    return found


async def add_to(
    connection: AsyncConnection, changes: Sequence[tuple[AccountRef, int]], now: datetime
) -> dict[AccountRef, int]:
    """Add each change to its account's balance, the account found by its key and created if new:
    the accounts' ids.

    For changes that need no floor (positive or zero ones, and accounts that may go negative).
    One multi-row upsert for all of them (SQLAlchemy turns the list into one INSERT … VALUES
    (…), (…) … ON CONFLICT DO UPDATE … RETURNING). SQLite only: its writers are serialised, so the
    order in which rows are touched does not matter (PostgreSQL goes by ascending id instead).
    """
    wanted = {(str(ref.type), ref.owner_id, ref.currency): ref for ref, _ in changes}
    rows = await connection.execute(
        _ADD_BY_KEY,
        [
            {
                "type": str(ref.type),
                "owner_id": ref.owner_id,
                "currency": ref.currency,
                "balance": change,
                "created_at": now,
            }
            for ref, change in changes
        ],
    )
    # RETURNING rows come in no promised order: match them by key.
    return {wanted[(row.type, row.owner_id, row.currency)]: row.id for row in rows}


async def insert_postings(
    connection: AsyncConnection, transaction_id: int, rows: Iterable[tuple[int, int, int]]
) -> None:
    """Insert (debit id, credit id, amount) postings of one transaction (one executemany)."""
    await connection.execute(
        _INSERT_POSTINGS,
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
    wanted = {(str(ref.type), ref.owner_id, ref.currency): ref for ref in refs}
    rows = await session.execute(_BALANCES, {"keys": list(wanted)})
    return {wanted[(row.type, row.owner_id, row.currency)]: row.balance for row in rows}
