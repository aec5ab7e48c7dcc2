"""The inbox worker feeding a real PTB application: order per user, parallel across users."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder, TypeHandler

from adsbot.adapters.clock import FakeClock
from adsbot.bot.worker import InboxWorker
from adsbot.sandbox.emulator.testing import TEST_TOKEN
from adsbot.services import inbox
from adsbot.storage.database import Database
from adsbot.web.metrics import Metrics


def _update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1767600000,
            "chat": {"id": user_id, "type": "private", "first_name": "U"},
            "from": {"id": user_id, "is_bot": False, "first_name": "U"},
            "text": text,
        },
    }


@pytest.fixture
async def application(emulator: Any) -> Any:
    app = ApplicationBuilder().token(TEST_TOKEN).base_url(emulator.api_url).updater(None).build()
    await app.initialize()
    yield app
    await app.shutdown()


async def test_one_users_updates_never_overtake_each_other_and_two_users_run_in_parallel(
    sqlite_database: Database, application: Any
) -> None:
    seen: list[tuple[int, str, float, float]] = []

    async def record(update: Update, _context: Any) -> None:
        started = time.perf_counter()
        # The first update of each user is the slowest: a later one must still wait for it.
        await asyncio.sleep(0.2 if update.message.text == "1" else 0.01)
        seen.append((update.effective_user.id, update.message.text, started, time.perf_counter()))

    application.add_handler(TypeHandler(Update, record))
    clock = FakeClock()
    worker = InboxWorker(sqlite_database, application, clock, Metrics(), concurrency=8)
    await worker.start()
    update_id = 100
    for text in ("1", "2", "3", "4"):
        for user in (11, 22):
            update_id += 1
            _, row = await inbox.store(sqlite_database, _update(update_id, user, text), clock.now())
            assert row is not None
            worker.submit(row)
    await worker.wait_idle(10)
    await worker.stop()

    for user in (11, 22):
        assert [text for uid, text, _, _ in seen if uid == user] == ["1", "2", "3", "4"]
    first_a = next(s for s in seen if s[0] == 11 and s[1] == "1")
    first_b = next(s for s in seen if s[0] == 22 and s[1] == "1")
    assert first_a[2] < first_b[3] and first_b[2] < first_a[3], "the two users ran in parallel"
    depth, _ = await inbox.lag(sqlite_database, clock.now())
    assert depth == 0


async def test_the_dedup_window_is_seven_days_and_an_older_row_is_replaced(
    database: Database,
) -> None:
    clock = FakeClock()
    outcome, row = await inbox.store(database, _update(5, 1, "a"), clock.now())
    assert outcome == "stored" and row is not None
    await inbox.finish(database, row.id, clock.now())
    clock.advance(days=6)
    assert (await inbox.store(database, _update(5, 1, "b"), clock.now()))[0] == "duplicate"
    clock.advance(days=2)
    outcome, fresh = await inbox.store(database, _update(5, 1, "c"), clock.now())
    assert outcome == "stored" and fresh is not None
    assert fresh.payload["message"]["text"] == "c"
    assert [r.payload["message"]["text"] for r in await inbox.pending(database)] == ["c"]


async def test_pruning_removes_only_handled_rows_older_than_the_window(
    database: Database,
) -> None:
    clock = FakeClock()
    _, old_done = await inbox.store(database, _update(1, 1, "x"), clock.now())
    _, old_pending = await inbox.store(database, _update(2, 1, "y"), clock.now())
    assert old_done and old_pending
    await inbox.finish(database, old_done.id, clock.now())
    clock.advance(timedelta(days=8))
    assert await inbox.prune(database, clock.now()) == 1
    assert [r.update_id for r in await inbox.pending(database)] == [2]


def test_the_ordering_key_is_the_user_then_the_chat_then_the_update() -> None:
    assert inbox.ordering_key(_update(9, 42, "hi")) == 42
    channel_post = {
        "update_id": 9,
        "channel_post": {"chat": {"id": -1001}, "message_id": 1, "date": 0},
    }
    assert inbox.ordering_key(channel_post) == -1001
    assert inbox.ordering_key({"update_id": 9, "poll": {"id": "x"}}) == 9


def test_every_registered_handler_blocks(running_bot_handlers: Any) -> None:
    assert running_bot_handlers, "handlers are registered"
    assert all(handler.block is True for handler in running_bot_handlers)


async def test_a_row_arriving_during_the_replay_waits_for_the_older_ones_and_runs_once(
    sqlite_database: Database, application: Any
) -> None:
    handled: list[str] = []

    async def record(update: Update, _context: Any) -> None:
        handled.append(update.message.text)

    application.add_handler(TypeHandler(Update, record))
    clock = FakeClock()
    assert (await inbox.store(sqlite_database, _update(1, 7, "old"), clock.now()))[0] == "stored"
    worker = InboxWorker(sqlite_database, application, clock, Metrics(), concurrency=4)
    replay = asyncio.create_task(worker.start())
    await asyncio.sleep(0)  # the replay is reading the table
    _, new = await inbox.store(sqlite_database, _update(2, 7, "new"), clock.now())
    assert new is not None
    worker.submit(new)  # what the webhook does meanwhile
    await replay
    await worker.wait_idle(5)
    await worker.stop()
    assert handled == ["old", "new"]
