"""Writing to the outbox: with the change, or not at all; idempotent with a key; checked keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adsbot.adapters.clock import FakeClock
from adsbot.jobs import outbox_store as store
from adsbot.services import outbox
from adsbot.services.outbox import Lane, UnknownTemplate
from adsbot.storage.database import Database
from tests.outbox.helpers import queue, rows

LEASE = timedelta(seconds=60)


async def test_a_rolled_back_unit_of_work_leaves_no_row(database: Database) -> None:
    now = FakeClock().now()
    async with database.unit_of_work() as uow:
        await outbox.enqueue(uow, 42, "notify.broadcast", {"text": "hi"}, now=now)
        # no commit: the change that caused the message did not happen
    assert await rows(database) == []


async def test_a_committed_unit_of_work_leaves_one_pending_row(database: Database) -> None:
    now = FakeClock().now()
    async with database.unit_of_work() as uow:
        await outbox.enqueue(uow, 42, "notify.broadcast", {"text": "hi"}, now=now)
        await uow.commit()
    (row,) = await rows(database)
    assert (row.chat_id, row.status, row.lane, row.params) == (42, "pending", 0, {"text": "hi"})


async def test_a_dedupe_key_writes_the_row_once(database: Database) -> None:
    now = FakeClock().now()
    for _ in range(2):
        async with database.unit_of_work() as uow:
            first = await outbox.enqueue(
                uow, 42, "notify.broadcast", {"text": "hi"}, now=now, dedupe_key="receipt:7"
            )
            await uow.commit()
    assert first is False
    assert len(await rows(database)) == 1


@pytest.mark.parametrize(
    ("key", "params"),
    [("no.such.key", {}), ("start.welcome", {}), ("notify.broadcast", {"text": object()})],
)
async def test_unknown_keys_missing_parameters_and_non_json_values_are_refused(
    database: Database, key: str, params: dict[str, object]
) -> None:
    async with database.unit_of_work() as uow:
        with pytest.raises((UnknownTemplate, TypeError)):
            await outbox.enqueue(uow, 42, key, params, now=FakeClock().now())


async def test_a_claim_takes_at_most_its_limit_transactional_first(database: Database) -> None:
    clock = FakeClock()
    await queue(database, list(range(1, 41)), now=clock.now(), lane=Lane.BROADCAST)
    first = await store.claim(database, clock.now(), "a", 20, LEASE)
    await queue(database, [999], now=clock.now())
    second = await store.claim(database, clock.now(), "b", 20, LEASE)
    third = await store.claim(database, clock.now(), "c", 20, LEASE)
    assert [m.chat_id for m in first] == list(range(1, 21))
    assert [m.chat_id for m in second] == [999, *range(21, 40)]
    assert [m.chat_id for m in third] == [40]


async def test_an_expired_lease_is_claimed_again(database: Database) -> None:
    clock = FakeClock()
    await queue(database, [1], now=clock.now())
    assert len(await store.claim(database, clock.now(), "a", 10, LEASE)) == 1
    clock.advance(seconds=59)
    assert await store.claim(database, clock.now(), "b", 10, LEASE) == []
    clock.advance(seconds=2)
    assert [m.chat_id for m in await store.claim(database, clock.now(), "b", 10, LEASE)] == [1]


async def test_backlog_reports_depth_and_the_oldest_due_message(database: Database) -> None:
    clock = FakeClock()
    await queue(database, [1, 2], now=clock.now())
    clock.advance(seconds=30)
    assert await outbox.backlog(database, clock.now()) == (2, 30.0)
