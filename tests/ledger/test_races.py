"""Concurrent transfers on separate connections (SQLite: separate engines; PostgreSQL: a pool)."""

from __future__ import annotations

import asyncio

from adsbot.services.ledger import IdempotencyConflict, InsufficientFunds, balances, transfer_now
from adsbot.storage.database import Database
from tests.ledger.helpers import ALICE, NOW, TOPUPS, escrow, funds, move

BALANCE = 500


async def _databases(url: str) -> list[Database]:
    # SQLite: one engine per writer, each with its own connections; PostgreSQL: two pooled engines
    # (20 connections each) are plenty for 100 concurrent units of work without exhausting the server.
    count = 8 if url.startswith("sqlite") else 2
    return [Database.from_url(url) for _ in range(count)]


async def test_a_hundred_transfers_of_the_whole_balance_let_exactly_one_through(
    database_url: str,
) -> None:
    databases = await _databases(database_url)
    try:
        await transfer_now(
            databases[0], "topup", [move(TOPUPS, funds(ALICE), BALANCE)], kind="topup", now=NOW
        )

        async def spend(n: int) -> bool:
            db = databases[n % len(databases)]
            try:
                await transfer_now(
                    db,
                    f"order:{n}:hold",
                    [move(funds(ALICE), escrow(n), BALANCE)],
                    kind="hold",
                    now=NOW,
                )
            except InsufficientFunds:
                return False
            return True

        outcomes = await asyncio.gather(*(spend(n) for n in range(1, 101)))
        async with databases[0].unit_of_work(read_only=True) as uow:
            after = await balances(uow, [funds(ALICE)] + [escrow(n) for n in range(1, 101)])
    finally:
        for db in databases:
            await db.dispose()
    assert outcomes.count(True) == 1
    assert after[funds(ALICE)].minor == 0
    assert sum(money.minor for money in after.values()) == BALANCE
    assert all(money.minor >= 0 for money in after.values())


async def test_fifty_concurrent_repeats_of_one_key_take_effect_once(database_url: str) -> None:
    databases = await _databases(database_url)
    try:
        await transfer_now(
            databases[0], "topup", [move(TOPUPS, funds(ALICE), BALANCE)], kind="topup", now=NOW
        )

        async def hold(n: int) -> tuple[int, bool]:
            result = await transfer_now(
                databases[n % len(databases)],
                "order:1:hold",
                [move(funds(ALICE), escrow(1), 30)],
                kind="hold",
                now=NOW,
            )
            return result.transaction_id, result.created

        results = await asyncio.gather(*(hold(n) for n in range(50)))
        async with databases[0].unit_of_work(read_only=True) as uow:
            after = await balances(uow, [funds(ALICE), escrow(1)])
    finally:
        for db in databases:
            await db.dispose()
    assert len({tx for tx, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1
    assert (after[funds(ALICE)].minor, after[escrow(1)].minor) == (BALANCE - 30, 30)


async def test_concurrent_repeats_with_different_content_are_refused(database_url: str) -> None:
    databases = await _databases(database_url)
    try:
        await transfer_now(
            databases[0], "topup", [move(TOPUPS, funds(ALICE), BALANCE)], kind="topup", now=NOW
        )

        async def hold(n: int) -> str:
            try:
                await transfer_now(
                    databases[n % len(databases)],
                    "order:1:hold",
                    [move(funds(ALICE), escrow(1), 10 + n % 2)],
                    kind="hold",
                    now=NOW,
                )
            except IdempotencyConflict:
                return "conflict"
            return "done"

        outcomes = await asyncio.gather(*(hold(n) for n in range(20)))
    finally:
        for db in databases:
            await db.dispose()
    # Whichever amount won, the ten requests with the other amount were refused.
    assert sorted(outcomes).count("conflict") == 10


async def test_transfers_in_opposite_directions_all_complete(database_url: str) -> None:
    """A → B and B → A at once: balances lock in ascending id order, so neither waits on the other
    in a cycle (and a deadlock, should one happen, is retried)."""
    databases = await _databases(database_url)
    try:
        for user in (1, 2):
            await transfer_now(
                databases[0],
                f"topup:{user}",
                [move(TOPUPS, funds(user), 1000)],
                kind="topup",
                now=NOW,
            )

        async def swap(n: int) -> None:
            source, target = (funds(1), funds(2)) if n % 2 else (funds(2), funds(1))
            await transfer_now(
                databases[n % len(databases)],
                f"swap:{n}",
                [move(source, target, 7)],
                kind="move",
                now=NOW,
            )

        await asyncio.gather(*(swap(n) for n in range(60)))
        async with databases[0].unit_of_work(read_only=True) as uow:
            after = await balances(uow, [funds(1), funds(2)])
    finally:
        for db in databases:
            await db.dispose()
    assert (after[funds(1)].minor, after[funds(2)].minor) == (1000, 1000)
