"""The one way money moves (DESIGN section 4, STYLE habit 3): `transfer`.

`transfer` works inside the caller's unit of work, so a use case can move money and write its own
rows in one transaction and commit once. `transfer_now` is the convenience for a use case that only
moves money: its own unit of work, committed, retried on a PostgreSQL deadlock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

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
) -> TransferResult:
    """Move money: every posting, or (on `LedgerError`) nothing at all.

    - A repeat of `key` with the same kind and postings returns the first result and moves
      nothing; with different content it raises `IdempotencyConflict`.
    - A balance that may not go negative (DESIGN section 4) is changed by a conditional update that
      refuses to go below zero: `InsufficientFunds`. Judged on each account's net change, so
      A → B → C in one transfer needs nothing in B beforehand.
    - Cached balances change in the same transaction as the postings, in ascending account id
      (two PostgreSQL transactions then lock rows in one order and rarely deadlock).

    Runs in a savepoint: a refused transfer leaves the caller's unit of work as it was. Nothing is
    committed here. Domain errors (`LedgerRuleError`) are raised before any SQL.
    """
    request = TransferRequest(key, kind, tuple(postings))
    session = uow.session
    fingerprint = request.fingerprint()
    async with session.begin_nested():
        transaction_id = await ledger_repo.insert_transaction(session, key, kind, fingerprint, now)
        if transaction_id is None:
            existing = await ledger_repo.find_transaction(session, key)
            assert existing is not None  # the insert conflicted on this key
            if existing[1] != fingerprint:
                raise IdempotencyConflict(key)
            return TransferResult(existing[0], created=False)
        ids = await ledger_repo.account_ids(session, request.accounts(), now)
        changes = sorted(net_changes(request.postings).items(), key=lambda item: ids[item[0]])
        for ref, change in changes:
            floor = not may_go_negative(ref.type)
            if not await ledger_repo.change_balance(session, ids[ref], change, floor_at_zero=floor):
                raise InsufficientFunds(ref, -change)
        await ledger_repo.insert_postings(
            session,
            transaction_id,
            ((ids[p.debit], ids[p.credit], p.amount.minor) for p in request.postings),
        )
    return TransferResult(transaction_id, created=True)


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
