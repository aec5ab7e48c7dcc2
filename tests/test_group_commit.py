"""Group commit: concurrent small writes share transactions, and one bad item fails alone."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from adsbot.adapters.clock import FakeClock
from adsbot.services.inbox import InboxWriter
from adsbot.storage.database import Database
from adsbot.storage.group_commit import GroupCommit
from adsbot.storage.models import AuditLog
from adsbot.storage.uow import UnitOfWork


def _counting_database(url: str, outcomes: list[str]) -> Database:
    database = Database.from_url(url, observer=lambda _seconds, outcome: outcomes.append(outcome))
    return database


async def test_concurrent_stores_share_transactions_and_each_gets_its_row(sqlite_url: str) -> None:
    outcomes: list[str] = []
    db = _counting_database(sqlite_url, outcomes)
    writer = InboxWriter(db)
    now = FakeClock().now()
    try:
        results = await asyncio.gather(
            *(writer.store({"update_id": i, "poll": {"id": str(i)}}, now) for i in range(50))
        )
        assert [outcome for outcome, _ in results] == ["stored"] * 50
        assert sorted(row.update_id for _, row in results if row) == list(range(50))
        assert 1 <= outcomes.count("commit") < 50  # batched, yet everything committed
        again = await writer.store({"update_id": 7, "poll": {"id": "7"}}, now)
        assert again == ("duplicate", None)
    finally:
        await db.dispose()


async def test_one_failing_item_fails_alone_and_its_neighbours_commit(sqlite_url: str) -> None:
    db = Database.from_url(sqlite_url)
    now = FakeClock().now()

    async def write(uow: UnitOfWork, action: str) -> str:
        if action == "bad":
            raise ValueError("refused")
        uow.session.add(AuditLog(action=action, details={}, created_at=now))
        await uow.session.flush()
        return action

    commits: GroupCommit[str, str] = GroupCommit(db, write)
    try:
        results = await asyncio.gather(
            commits.submit("a"), commits.submit("bad"), commits.submit("b"), return_exceptions=True
        )
        assert results[0] == "a" and results[2] == "b"
        assert isinstance(results[1], ValueError)
        async with db.unit_of_work(read_only=True) as uow:
            stored = (await uow.session.execute(select(AuditLog.action))).scalars().all()
        assert sorted(stored) == ["a", "b"]
    finally:
        await db.dispose()


@pytest.mark.parametrize("count", [1, 300])
async def test_batches_never_exceed_their_bound_and_all_items_finish(
    sqlite_url: str, count: int
) -> None:
    db = Database.from_url(sqlite_url)
    seen_batches: list[int] = []
    in_batch = 0

    async def write(uow: UnitOfWork, item: int) -> int:
        nonlocal in_batch
        in_batch += 1
        return item

    commits: GroupCommit[int, int] = GroupCommit(db, write, max_batch=100)
    original = commits._write_batch

    async def observed() -> None:
        nonlocal in_batch
        in_batch = 0
        await original()
        seen_batches.append(in_batch)

    commits._write_batch = observed  # type: ignore[method-assign]
    try:
        results = await asyncio.gather(*(commits.submit(i) for i in range(count)))
        assert results == list(range(count))
        assert max(seen_batches) <= 100 and sum(seen_batches) == count
    finally:
        await db.dispose()


async def test_callers_get_the_error_when_no_transaction_can_begin(tmp_path: object) -> None:
    """A database that cannot be opened: every waiting caller gets the error at once (the
    webhook answers 500 and Telegram retries) instead of waiting on a writer that loops."""
    db = Database.from_url("postgresql://nobody@127.0.0.1:1/none")  # refused at once
    commits: GroupCommit[int, int] = GroupCommit(db, lambda _uow, item: asyncio.sleep(0, item))
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(commits.submit(i) for i in range(5)), return_exceptions=True), 10
        )
        assert all(isinstance(result, Exception) for result in results)
    finally:
        await db.dispose()
