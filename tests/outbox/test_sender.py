"""The sender against the emulator: rendering, failure modes, blocked users, lanes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update

from adsbot.adapters.clock import FakeClock
from adsbot.jobs.pacing import PaceLimits, RetryPolicy
from adsbot.sandbox.emulator.runner import RunningEmulator
from adsbot.sandbox.emulator.testing import make_bot
from adsbot.services import outbox
from adsbot.services.outbox import Lane
from adsbot.storage.database import Database
from adsbot.storage.models import User
from tests.outbox.conftest import SenderFactory, add_users, bot_texts, deliveries
from tests.outbox.helpers import queue, rows, user

FAST = PaceLimits().scaled(50)  # pacing out of the way where a test is not about it


async def test_messages_are_rendered_at_send_time_in_each_recipients_language(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    clock = FakeClock()
    (anna,) = await add_users(live_emulator, database, 1, language="it", now=clock.now())
    (john,) = await add_users(live_emulator, database, 1, language="en", now=clock.now())
    (luca,) = await add_users(live_emulator, database, 1, language="it", now=clock.now())
    await queue(
        database, [anna, john, luca], now=clock.now(), key="start.welcome", params={"name": "<Bo>"}
    )
    # Luca switches to English after the message was queued: it goes out in English.
    async with database.unit_of_work() as uow:
        await uow.session.execute(update(User).where(User.id == luca).values(language="en"))
        await uow.commit()

    stats = await make_sender(clock, limits=FAST).run_pass()

    assert stats.sent == 3
    assert bot_texts(live_emulator, anna)[0].startswith("👋 Ciao <Bo>!")
    assert bot_texts(live_emulator, john)[0].startswith("👋 Hi <Bo>!")
    assert bot_texts(live_emulator, luca)[0].startswith("👋 Hi <Bo>!")
    assert {r.status for r in await rows(database)} == {"sent"}


async def test_a_429_holds_that_chat_for_retry_after_and_others_go_on(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    clock = FakeClock()
    busy, other = await add_users(live_emulator, database, 2, now=clock.now())
    await live_emulator.driver.set_fault(
        "sendMessage", "retry_after", chat_id=busy, times=1, retry_after=7
    )
    await queue(database, [busy, other, busy], now=clock.now())
    sender = make_sender(clock, limits=FAST)

    stats = await sender.run_pass()

    assert stats.sent == 1 and stats.rate_limited == 1
    assert len(bot_texts(live_emulator, other)) == 1 and bot_texts(live_emulator, busy) == []
    held = [r for r in await rows(database) if r.chat_id == busy]
    assert all(
        r.status == "pending" and r.next_attempt_at >= clock.now() + timedelta(seconds=7)
        for r in held
    )
    clock.advance(seconds=6)
    assert (await sender.run_pass()).sent == 0  # still inside retry_after
    clock.advance(seconds=1.5)
    await sender.run_pass()
    await sender.run_pass()  # the second message to the same chat is paced behind the first
    assert len(bot_texts(live_emulator, busy)) == 2
    assert sender.metrics is not None
    assert sender.metrics.outbox_rate_limited._value.get() == 1


async def test_429s_from_several_chats_within_the_window_pause_every_send(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    """The rule: 3 different chats answered 429 within 10 s → no sends at all for the longest
    retry_after among them."""
    clock = FakeClock()
    users = await add_users(live_emulator, database, 6, now=clock.now())
    for chat_id, wait in zip(users[:3], (2, 9, 4), strict=True):
        await live_emulator.driver.set_fault(
            "sendMessage", "retry_after", chat_id=chat_id, times=1, retry_after=wait
        )
    await queue(database, users[:3], now=clock.now())
    sender = make_sender(clock, limits=FAST)
    await sender.run_pass()
    assert sender.flood.paused_until == clock.now() + timedelta(seconds=9)

    await queue(database, users[3:], now=clock.now())  # healthy chats wait too
    clock.advance(seconds=5)
    assert (await sender.run_pass()).sent == 0
    assert all(bot_texts(live_emulator, chat_id) == [] for chat_id in users)
    clock.advance(seconds=4.5)
    await sender.run_pass()
    assert all(len(bot_texts(live_emulator, chat_id)) == 1 for chat_id in users)
    assert sender.metrics is not None
    assert sender.metrics.outbox_global_pauses._value.get() == 1


async def test_two_429s_do_not_pause_everything(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    clock = FakeClock()
    users = await add_users(live_emulator, database, 4, now=clock.now())
    for chat_id in users[:2]:
        await live_emulator.driver.set_fault("sendMessage", "retry_after", chat_id=chat_id, times=1)
    await queue(database, users, now=clock.now())
    sender = make_sender(clock, limits=FAST)
    stats = await sender.run_pass()
    assert (stats.sent, stats.rate_limited) == (2, 2)
    assert sender.flood.paused_until is None


async def test_5xx_is_retried_with_capped_backoff_then_delivered(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    clock = FakeClock()
    (anna,) = await add_users(live_emulator, database, 1, now=clock.now())
    await live_emulator.driver.set_fault("sendMessage", "server_error", status=502, times=2)
    await queue(database, [anna], now=clock.now())
    retry = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(seconds=3), jitter=0.5)
    sender = make_sender(clock, limits=FAST, retry=retry)

    delays = []
    for _ in range(2):
        start = clock.now()
        assert (await sender.run_pass()).retried == 1
        (row,) = await rows(database)
        delays.append((row.next_attempt_at - start).total_seconds())
        clock.set(row.next_attempt_at)
    assert 1.0 <= delays[0] <= 2.0 and 1.5 <= delays[1] <= 3.0  # 2 s then 4 s capped at 3, jittered
    assert (await sender.run_pass()).sent == 1
    (row,) = await rows(database)
    assert (row.status, row.attempts) == ("sent", 3)


async def test_a_timeout_is_retried(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    clock = FakeClock()
    (anna,) = await add_users(live_emulator, database, 1, now=clock.now())
    await live_emulator.driver.set_fault("sendMessage", "timeout", times=1, hang_seconds=2)
    await queue(database, [anna], now=clock.now())
    async with make_bot(live_emulator, timeout=0.3) as impatient:
        sender = make_sender(clock, limits=FAST, bot=impatient)
        stats = await sender.run_pass()
        assert stats.retried == 1
        (row,) = await rows(database)
        assert row.status == "pending" and "TimedOut" in (row.last_error or "")
        clock.set(row.next_attempt_at)
        assert (await sender.run_pass()).sent == 1


async def test_after_the_last_attempt_the_row_is_dead_and_logged(
    database: Database,
    live_emulator: RunningEmulator,
    make_sender: SenderFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    (anna,) = await add_users(live_emulator, database, 1, now=clock.now())
    await live_emulator.driver.set_fault("sendMessage", "server_error")
    await queue(database, [anna], now=clock.now())
    sender = make_sender(clock, limits=FAST, retry=RetryPolicy(max_attempts=4))
    for _ in range(4):
        await sender.run_pass()
        (row,) = await rows(database)
        clock.set(max(clock.now(), row.next_attempt_at))
    (row,) = await rows(database)
    assert (row.status, row.attempts) == ("dead", 4)
    assert "gave up after 4 attempts" in (row.last_error or "")
    assert any("is dead" in record.message for record in caplog.records)
    assert (await sender.run_pass()).claimed == 0


async def test_a_bad_request_is_dead_at_once(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    clock = FakeClock()
    await queue(database, [-100999], now=clock.now())  # no such chat
    stats = await make_sender(clock, limits=FAST).run_pass()
    (row,) = await rows(database)
    assert (
        stats.dead == 1
        and row.status == "dead"
        and "chat not found" in (row.last_error or "").lower()
    )


async def test_a_user_who_blocked_the_bot_is_marked_unreachable_and_skipped(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    clock = FakeClock()
    anna, bruno = await add_users(live_emulator, database, 2, now=clock.now())
    live_emulator.state.user(anna).blocked_bot = True
    await queue(database, [anna, bruno], now=clock.now())
    sender = make_sender(clock, limits=FAST)
    await sender.run_pass()
    assert (await user(database, anna)).unreachable_since == clock.now()
    assert (await user(database, bruno)).unreachable_since is None

    # Nothing more reaches Telegram for her: a call now would be answered with this fault.
    await live_emulator.driver.set_fault(
        "sendMessage", "error", chat_id=anna, description="Bad Request: must not be called"
    )
    await queue(database, [anna], now=clock.now())
    await sender.run_pass()
    statuses = [(r.chat_id, r.status, r.last_error) for r in await rows(database)]
    assert statuses == [
        (anna, "skipped", "blocked"),
        (bruno, "sent", None),
        (anna, "skipped", "unreachable"),
    ]


async def test_transactional_messages_overtake_a_broadcast(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    clock = FakeClock()
    users = await add_users(live_emulator, database, 81, now=clock.now())
    await queue(database, users[:80], now=clock.now(), lane=Lane.BROADCAST)
    sender = make_sender(clock, limits=PaceLimits().scaled(4), batch_size=20)
    task = asyncio.create_task(sender.run_pass())
    await asyncio.sleep(0.3)  # the broadcast is under way
    await queue(database, users[80:], now=clock.now(), params={"text": "receipt"})
    await task
    order = [chat_id for _, chat_id, _ in deliveries(live_emulator)]
    assert len(order) == 81
    # It goes out in the next batch, not after the 80 broadcast messages.
    assert order.index(users[80]) < 45


async def test_a_muted_category_is_skipped_at_send_time_and_the_rest_still_arrives(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    clock = FakeClock()
    anna, bruno = await add_users(live_emulator, database, 2, now=clock.now())
    async with database.unit_of_work() as uow:
        await uow.session.execute(
            update(User).where(User.id == anna).values(muted_categories=["news"])
        )
        for chat_id in (anna, bruno):
            await outbox.enqueue(
                uow,
                chat_id,
                "notify.broadcast",
                {"text": "novità"},
                now=clock.now(),
                category="news",
            )
        await outbox.enqueue(uow, anna, "notify.broadcast", {"text": "ricevuta"}, now=clock.now())
        await uow.commit()
    await make_sender(clock, limits=FAST).run_pass()
    statuses = [(r.chat_id, r.status, r.last_error) for r in await rows(database)]
    assert statuses == [
        (anna, "skipped", "muted: news"),
        (bruno, "sent", None),
        (anna, "sent", None),
    ]
    assert sorted((chat, text) for _, chat, text in deliveries(live_emulator)) == sorted(
        [(bruno, "📣 novità"), (anna, "📣 ricevuta")]
    )


async def test_an_unknown_category_is_refused_when_queued(database: Database) -> None:
    async with database.unit_of_work() as uow:
        with pytest.raises(ValueError, match="category"):
            await outbox.enqueue(
                uow, 1, "notify.broadcast", {"text": "x"}, now=FakeClock().now(), category="spam"
            )
