"""`transfer`: all postings or none, idempotent, never below zero where that is forbidden."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from adsbot.domain.ledger import LedgerRuleError
from adsbot.services.ledger import (
    IdempotencyConflict,
    InsufficientFunds,
    RefusedTransferNotRolledBack,
    balance,
    balances,
    transfer,
    transfer_now,
)
from adsbot.storage.database import Database
from adsbot.storage.models import LedgerAccount, LedgerPosting, LedgerTransaction, User
from tests.ledger.helpers import (
    ALICE,
    BOB,
    FEES,
    NOW,
    TOPUPS,
    WRITEOFFS,
    earnings,
    escrow,
    funds,
    move,
    stars,
)


async def _balances(database: Database, *refs):  # type: ignore[no-untyped-def]
    async with database.unit_of_work(read_only=True) as uow:
        found = await balances(uow, list(refs))
    return [found[ref].minor for ref in refs]


async def _count(database: Database, model: type) -> int:
    async with database.unit_of_work(read_only=True) as uow:
        return (await uow.session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_topup_creates_the_accounts_and_moves_money_from_outside(
    database: Database,
) -> None:
    result = await transfer_now(
        database, "topup:c1", [move(TOPUPS, funds(ALICE), 1250)], kind="topup", now=NOW
    )
    assert result.created and result.transaction_id >= 1
    assert await _balances(database, TOPUPS, funds(ALICE)) == [-1250, 1250]
    async with database.unit_of_work(read_only=True) as uow:
        assert await balance(uow, funds(BOB)) == stars(0)
        assert await balance(uow, funds(ALICE)) == stars(1250)


async def test_a_repeated_key_with_the_same_content_moves_nothing(database: Database) -> None:
    first = await transfer_now(
        database, "topup:c1", [move(TOPUPS, funds(ALICE), 100)], kind="topup", now=NOW
    )
    again = await transfer_now(
        database, "topup:c1", [move(TOPUPS, funds(ALICE), 100)], kind="topup", now=NOW
    )
    assert (again.transaction_id, again.created) == (first.transaction_id, False)
    assert await _balances(database, funds(ALICE)) == [100]
    assert await _count(database, LedgerTransaction) == 1


@pytest.mark.parametrize(
    ("kind", "amount"), [("topup", 101), ("refund", 100)], ids=["other amount", "other kind"]
)
async def test_a_repeated_key_with_different_content_is_refused(
    database: Database, kind: str, amount: int
) -> None:
    await transfer_now(
        database, "topup:c1", [move(TOPUPS, funds(ALICE), 100)], kind="topup", now=NOW
    )
    with pytest.raises(IdempotencyConflict):
        await transfer_now(
            database, "topup:c1", [move(TOPUPS, funds(ALICE), amount)], kind=kind, now=NOW
        )
    assert await _balances(database, funds(ALICE)) == [100]


async def test_an_overdraft_is_refused_and_writes_nothing(database: Database) -> None:
    await transfer_now(
        database, "topup:c1", [move(TOPUPS, funds(ALICE), 100)], kind="topup", now=NOW
    )
    with pytest.raises(InsufficientFunds) as refused:
        await transfer_now(
            database, "order:1:hold", [move(funds(ALICE), escrow(1), 101)], kind="hold", now=NOW
        )
    assert refused.value.account == funds(ALICE) and refused.value.needed == 101
    assert await _balances(database, funds(ALICE), escrow(1)) == [100, 0]
    assert await _count(database, LedgerTransaction) == 1
    assert await _count(database, LedgerPosting) == 1
    # The refused key was not used up: the same transfer can succeed once the money is there.
    await transfer_now(database, "topup:c2", [move(TOPUPS, funds(ALICE), 1)], kind="topup", now=NOW)
    await transfer_now(
        database, "order:1:hold", [move(funds(ALICE), escrow(1), 101)], kind="hold", now=NOW
    )
    assert await _balances(database, funds(ALICE), escrow(1)) == [0, 101]


async def test_one_transfer_can_hold_several_postings_judged_by_net_change(
    database: Database,
) -> None:
    """Settlement shape: escrow → publisher earnings + platform fee, in one transaction."""
    await transfer_now(
        database, "topup:c1", [move(TOPUPS, funds(ALICE), 1000)], kind="topup", now=NOW
    )
    hold_and_settle = [
        move(funds(ALICE), escrow(7), 1000),  # escrow holds nothing before this transaction
        move(escrow(7), earnings(BOB), 900),
        move(escrow(7), FEES, 100),
    ]
    await transfer_now(database, "order:7", hold_and_settle, kind="settle", now=NOW)
    assert await _balances(database, funds(ALICE), escrow(7), earnings(BOB), FEES) == [
        0,
        0,
        900,
        100,
    ]
    assert await _count(database, LedgerPosting) == 4


async def test_a_failing_posting_among_several_undoes_the_others(database: Database) -> None:
    await transfer_now(
        database, "topup:c1", [move(TOPUPS, funds(ALICE), 50)], kind="topup", now=NOW
    )
    with pytest.raises(InsufficientFunds):
        await transfer_now(
            database,
            "split",
            [move(funds(ALICE), earnings(BOB), 50), move(funds(BOB), FEES, 1)],
            kind="move",
            now=NOW,
        )
    assert await _balances(database, funds(ALICE), earnings(BOB), FEES) == [50, 0, 0]


async def test_only_external_accounts_and_writeoffs_go_negative(database: Database) -> None:
    await transfer_now(database, "w", [move(WRITEOFFS, funds(ALICE), 10)], kind="writeoff", now=NOW)
    assert await _balances(database, WRITEOFFS) == [-10]
    with pytest.raises(InsufficientFunds):
        await transfer_now(database, "f", [move(FEES, funds(ALICE), 1)], kind="move", now=NOW)


async def test_a_transfer_joins_the_callers_unit_of_work_and_commits_with_it(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        uow.session.add(User(id=ALICE, first_name="Anna", created_at=NOW, last_seen_at=NOW))
        await transfer(uow, "topup:c1", [move(TOPUPS, funds(ALICE), 5)], kind="topup", now=NOW)
        # Left without commit: neither the user nor the money stays.
    assert await _count(database, User) == 0
    assert await _count(database, LedgerTransaction) == 0
    async with database.unit_of_work() as uow:
        uow.session.add(User(id=ALICE, first_name="Anna", created_at=NOW, last_seen_at=NOW))
        await transfer(uow, "topup:c1", [move(TOPUPS, funds(ALICE), 5)], kind="topup", now=NOW)
        await uow.commit()
    assert await _count(database, User) == 1
    assert await _balances(database, funds(ALICE)) == [5]


async def test_a_refused_transfer_in_a_savepoint_leaves_the_callers_other_writes_intact(
    database: Database,
) -> None:
    await transfer_now(database, "topup:c1", [move(TOPUPS, funds(ALICE), 5)], kind="topup", now=NOW)
    async with database.unit_of_work() as uow:
        uow.session.add(User(id=ALICE, first_name="Anna", created_at=NOW, last_seen_at=NOW))
        await uow.session.flush()
        with pytest.raises(InsufficientFunds):
            # The first account's change goes through before the second one is refused.
            await transfer(
                uow,
                "hold",
                [move(TOPUPS, escrow(1), 5), move(funds(ALICE), escrow(1), 6)],
                kind="hold",
                now=NOW,
                savepoint=True,
            )
        await uow.commit()
    assert await _count(database, User) == 1
    assert await _count(database, LedgerTransaction) == 1
    assert await _balances(database, TOPUPS, funds(ALICE), escrow(1)) == [-5, 5, 0]


async def test_a_unit_of_work_cannot_commit_after_a_refused_transfer_without_a_savepoint(
    database: Database,
) -> None:
    """Without a savepoint the refused transfer's first steps sit in the transaction: committing
    them would break the ledger, so the commit is refused and everything rolls back."""
    await transfer_now(database, "topup:c1", [move(TOPUPS, funds(ALICE), 5)], kind="topup", now=NOW)
    async with database.unit_of_work() as uow:
        uow.session.add(User(id=ALICE, first_name="Anna", created_at=NOW, last_seen_at=NOW))
        with pytest.raises(InsufficientFunds):
            await transfer(
                uow,
                "hold",
                [move(TOPUPS, escrow(1), 5), move(funds(ALICE), escrow(1), 6)],
                kind="hold",
                now=NOW,
            )
        with pytest.raises(RefusedTransferNotRolledBack):
            await uow.commit()
    assert await _count(database, User) == 0
    assert await _count(database, LedgerTransaction) == 1
    assert await _balances(database, TOPUPS, funds(ALICE), escrow(1)) == [-5, 5, 0]


async def test_a_repeated_key_with_different_content_leaves_the_unit_of_work_usable(
    database: Database,
) -> None:
    await transfer_now(database, "topup:c1", [move(TOPUPS, funds(ALICE), 5)], kind="topup", now=NOW)
    async with database.unit_of_work() as uow:
        uow.session.add(User(id=ALICE, first_name="Anna", created_at=NOW, last_seen_at=NOW))
        with pytest.raises(IdempotencyConflict):
            await transfer(uow, "topup:c1", [move(TOPUPS, funds(ALICE), 6)], kind="topup", now=NOW)
        await uow.commit()
    assert await _count(database, User) == 1
    assert await _balances(database, funds(ALICE)) == [5]


async def test_accounts_are_created_once_per_type_owner_and_currency(database: Database) -> None:
    for n in range(3):
        await transfer_now(
            database, f"t{n}", [move(TOPUPS, funds(ALICE), 1)], kind="topup", now=NOW
        )
    await transfer_now(
        database,
        "eur",
        [move(TOPUPS.__class__.of(TOPUPS.type, "EUR"), funds(ALICE, "EUR"), 1)],
        kind="topup",
        now=NOW,
    )
    assert await _count(database, LedgerAccount) == 4


def test_malformed_postings_are_refused_before_any_sql() -> None:
    with pytest.raises(LedgerRuleError):
        move(funds(ALICE), funds(ALICE), 1)
    with pytest.raises(LedgerRuleError):
        move(funds(ALICE), funds(BOB), 0)
    with pytest.raises(LedgerRuleError):
        move(funds(ALICE), funds(BOB, "EUR"), 1)
