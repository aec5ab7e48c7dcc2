"""The one way money moves (DESIGN section 4, STYLE habit 3): `transfer`.

`transfer` works inside the caller's unit of work, so a use case can move money and write its own
rows in one transaction and commit once. `transfer_now` is the convenience for a use case that only
moves money: its own unit of work, committed, retried on a PostgreSQL deadlock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session

from adsbot.domain.ledger import AccountRef, Posting, TransferRequest, may_go_negative, net_changes
from adsbot.domain.money import Money, currency
from adsbot.storage import ledger_repo
from adsbot.storage.database import Database
from adsbot.storage.retry import DEFAULT_ATTEMPTS, run_with_retry
from adsbot.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)


class LedgerError(Exception):
    """A transfer the ledger refused; nothing of it was written."""


class InsufficientFunds(LedgerError):
    def __init__(self, account: AccountRef, needed: int) -> None:
        super().__init__(f"{account} cannot give {needed}")
        self.account = account
        self.needed = needed


class RefusedTransferNotRolledBack(RuntimeError):
    """A unit of work tried to commit after a transfer in it failed without `savepoint=True`."""

    def __init__(self) -> None:
        super().__init__(
            "a transfer failed in this unit of work without savepoint=True; "
            "it holds part of that transfer and can only roll back"
        )


class IdempotencyConflict(LedgerError):
    """The key was used before for a transfer with different content."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was used for a different transfer")
        self.key = key


@dataclass(frozen=True, slots=True)
class TransferResult:
    transaction_id: int
    created: bool  # False: a repeat of an earlier request, which moved nothing this time


async def transfer(
    uow: UnitOfWork,
    key: str,
    postings: Iterable[Posting],
    *,
    kind: str,
    now: datetime,
    savepoint: bool = False,
) -> TransferResult:
    """Move money: every posting, or (on `LedgerError`) nothing at all.

    - A repeat of `key` with the same kind and postings returns the first result and moves
      nothing; with different content it raises `IdempotencyConflict`.
    - A balance that may not go negative (DESIGN section 4) is changed by a conditional update that
      refuses to go below zero: `InsufficientFunds`. Judged on each account's net change, so
      A → B → C in one transfer needs nothing in B beforehand.
    - Cached balances change in the same transaction as the postings; on PostgreSQL in ascending
      account id (two transactions then lock rows in one order and rarely deadlock).

    A refused transfer may already have written part of itself into the caller's transaction, so
    by default the caller's unit of work can then only roll back: its commit raises
    `RefusedTransferNotRolledBack`. A caller that goes on after a refusal (catches `LedgerError`
    and commits its other writes) passes `savepoint=True`: the transfer then runs in a savepoint
    and a refusal leaves the unit of work as it was (two more statements per transfer).

    Nothing is committed here. Domain errors (`LedgerRuleError`) are raised before any SQL.
    """
    request = TransferRequest(key, kind, tuple(postings))
    session = uow.session
    if savepoint:
        async with session.begin_nested():
            return await _transfer(await session.connection(), request, now)
    try:
        return await _transfer(await session.connection(), request, now)
    except IdempotencyConflict:
        raise  # refused before anything was written
    except BaseException:
        _forbid_commit(session)
        raise


async def _transfer(
    connection: AsyncConnection, request: TransferRequest, now: datetime
) -> TransferResult:
    # Core statements on the session's connection: no ORM layer and no autoflush per statement
    # (each statement is a round trip to aiosqlite's thread, the cost that bounds throughput).
    fingerprint = request.fingerprint()
    transaction_id = await ledger_repo.insert_transaction(
        connection, request.key, request.kind, fingerprint, now
    )
    if transaction_id is None:
        existing = await ledger_repo.find_transaction(connection, request.key)
        assert existing is not None  # the insert conflicted on this key
        if existing[1] != fingerprint:
            raise IdempotencyConflict(request.key)
        return TransferResult(existing[0], created=False)
    changes = net_changes(request.postings)
    if connection.dialect.name == "sqlite":
        ids = await _change_balances_by_key(connection, request.accounts(), changes, now)
    else:
        ids = await _change_balances_by_id(connection, request.accounts(), changes, now)
    await ledger_repo.insert_postings(
        connection,
        transaction_id,
        ((ids[p.debit], ids[p.credit], p.amount.minor) for p in request.postings),
    )
    return TransferResult(transaction_id, created=True)


async def _change_balances_by_key(
    connection: AsyncConnection,
    refs: Sequence[AccountRef],
    changes: Mapping[AccountRef, int],
    now: datetime,
) -> dict[AccountRef, int]:
    """SQLite: each balance that may not go negative and shrinks is one conditional UPDATE by key;
    every other account (growing, passed through A → B → C, or allowed below zero) is found or
    created and changed by one upsert for all of them. Statements return the ids the postings
    need. SQLite has one writer at a time, so the order of the updates does not matter."""
    ids: dict[AccountRef, int] = {}
    rest: list[tuple[AccountRef, int]] = []
    for ref in refs:
        change = changes.get(ref, 0)
        if change < 0 and not may_go_negative(ref.type):
            found = await ledger_repo.take_from(connection, ref, -change)
            if found is None:
                raise InsufficientFunds(ref, -change)
            ids[ref] = found
        else:
            rest.append((ref, change))
    if rest:
        ids.update(await ledger_repo.add_to(connection, rest, now))
    return ids


async def _change_balances_by_id(
    connection: AsyncConnection,
    refs: Sequence[AccountRef],
    changes: Mapping[AccountRef, int],
    now: datetime,
) -> dict[AccountRef, int]:
    """PostgreSQL: look the accounts up (creating missing ones), then change balances in
    ascending id, so concurrent transfers lock rows in one order."""
    ids = await ledger_repo.account_ids(connection, refs, now)
    for ref, change in sorted(changes.items(), key=lambda item: ids[item[0]]):
        floor = not may_go_negative(ref.type)
        if not await ledger_repo.change_balance(connection, ids[ref], change, floor_at_zero=floor):
            raise InsufficientFunds(ref, -change)
    return ids


def _forbid_commit(session: AsyncSession) -> None:
    """After a transfer failed outside a savepoint, part of it may sit in the transaction: make
    any later commit of this session (or release of a savepoint in it) raise instead."""

    def refuse(_session: Session) -> None:
        raise RefusedTransferNotRolledBack()

    event.listen(session.sync_session, "before_commit", refuse)


async def transfer_now(
    database: Database,
    key: str,
    postings: Sequence[Posting],
    *,
    kind: str,
    now: datetime,
    attempts: int = DEFAULT_ATTEMPTS,
) -> TransferResult:
    """`transfer` in its own unit of work, committed; a PostgreSQL deadlock is retried."""

    async def work(uow: UnitOfWork) -> TransferResult:
        return await transfer(uow, key, postings, kind=kind, now=now)

    return await run_with_retry(database, work, attempts=attempts)


async def balance(uow: UnitOfWork, account: AccountRef) -> Money:
    """The cached balance of an account (zero for one never used)."""
    found = await ledger_repo.balances(uow.session, [account])
    return Money(found.get(account, 0), currency(account.currency))


async def balances(uow: UnitOfWork, accounts: Sequence[AccountRef]) -> dict[AccountRef, Money]:
    """Cached balances of several accounts at once (zero for those never used)."""
    found = await ledger_repo.balances(uow.session, accounts)
    return {ref: Money(found.get(ref, 0), currency(ref.currency)) for ref in accounts}
