"""Ledger throughput: transfers per second on SQLite and PostgreSQL.

    .venv/bin/python bench/ledger.py [--count 2000] [--postgres postgresql://postgres@127.0.0.1:5432/test]

SQLite runs on a temporary file with the application's pragmas (WAL, synchronous=FULL). With
--postgres, the script creates a throwaway database on that server and drops it afterwards. Each
figure: single-posting (a top-up) and three-posting (escrow → publisher + fee) transfers, one writer
at a time and 8 concurrent writers (SQLite: 8 engines; PostgreSQL: one pooled engine), with the
number of SQL statements per transfer (BEGIN and COMMIT included).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime

from scratch import postgres_database, sqlite_database
from sqlalchemy import event

from adsbot.domain.ledger import AccountRef, AccountType, Posting
from adsbot.domain.money import Money
from adsbot.services.ledger import transfer_now
from adsbot.storage.database import Database

NOW = datetime(2026, 3, 1, tzinfo=UTC)
WRITERS = 8
TOPUPS = AccountRef.of(AccountType.TELEGRAM_TOPUPS, "XTR")
FEES = AccountRef.of(AccountType.PLATFORM_FEES, "XTR")


def single(n: int) -> list[Posting]:
    return [
        Posting(
            TOPUPS, AccountRef.of(AccountType.USER_FUNDS, "XTR", 1 + n % 100), Money.of(100, "XTR")
        )
    ]


def triple(n: int) -> list[Posting]:
    escrow = AccountRef.of(AccountType.ORDER_ESCROW, "XTR", 1 + n)
    earnings = AccountRef.of(AccountType.USER_EARNINGS, "XTR", 1 + n % 100)
    return [
        Posting(TOPUPS, escrow, Money.of(100, "XTR")),
        Posting(escrow, earnings, Money.of(90, "XTR")),
        Posting(escrow, FEES, Money.of(10, "XTR")),
    ]


async def run(
    url: str, shape: Callable[[int], list[Posting]], count: int, writers: int, tag: str
) -> tuple[float, float]:
    """(transfers per second, statements per transfer)."""
    sqlite = url.startswith("sqlite")
    databases = [Database.from_url(url) for _ in range(writers if sqlite else 1)]
    statements = 0

    def count_statement(*_: object) -> None:
        nonlocal statements
        statements += 1

    for db in databases:
        event.listen(db.engine.sync_engine, "before_cursor_execute", count_statement)
        # COMMIT goes to the driver directly, not through a cursor.
        event.listen(db.engine.sync_engine, "commit", count_statement)

    async def writer(w: int) -> None:
        db = databases[w % len(databases)]
        for n in range(w, count, writers):
            await transfer_now(db, f"{tag}:{n}", shape(n), kind="bench", now=NOW)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(writer(w) for w in range(writers)))
        elapsed = time.perf_counter() - started
    finally:
        for db in databases:
            await db.dispose()
    return count / elapsed, statements / count


async def bench(name: str, url: str, count: int) -> None:
    for shape_name, shape in (("1 posting", single), ("3 postings", triple)):
        for writers in (1, WRITERS):
            tag = f"{shape_name}:{writers}"
            rate, statements = await run(url, shape, count, writers, tag)
            mode = "sequential" if writers == 1 else f"{writers} writers"
            print(
                f"{name:<10} {shape_name:<11} {mode:<11} {rate:8.0f} transfers/s"
                f" {statements:5.1f} statements each"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="transfers per figure")
    parser.add_argument(
        "--postgres", help="a PostgreSQL server URL to create a scratch database on"
    )
    args = parser.parse_args()
    with sqlite_database() as url:
        asyncio.run(bench("SQLite", url, args.count))
    if args.postgres:
        with postgres_database(args.postgres, "ledger") as url:
            asyncio.run(bench("PostgreSQL", url, args.count))


if __name__ == "__main__":
    main()
