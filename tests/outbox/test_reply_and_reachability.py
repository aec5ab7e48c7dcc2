"""The reply fallback, and a blocked user who writes again, through the running bot."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import telegram

from adsbot.adapters.clock import FakeClock
from adsbot.bot.reply import reply
from adsbot.runtime import Runtime
from adsbot.sandbox.emulator.runner import RunningEmulator
from adsbot.services import outbox
from adsbot.storage.database import Database
from tests.outbox.conftest import add_users, bot_texts
from tests.outbox.helpers import rows, user


async def test_a_reply_goes_out_directly_when_telegram_answers(
    database: Database, live_emulator: RunningEmulator, live_bot: telegram.Bot
) -> None:
    clock = FakeClock()
    (anna,) = await add_users(live_emulator, database, 1, now=clock.now())
    sent = await reply(live_bot, database, clock, anna, "en", "start.welcome", {"name": "Anna"})
    assert sent is not None and bot_texts(live_emulator, anna) == [sent.text]
    assert await rows(database) == []


@pytest.mark.parametrize(
    ("kind", "options"),
    [("server_error", {"status": 502}), ("retry_after", {"retry_after": 4})],
)
async def test_a_reply_that_meets_a_429_or_5xx_falls_into_the_transactional_lane(
    database: Database,
    live_emulator: RunningEmulator,
    live_bot: telegram.Bot,
    kind: str,
    options: dict[str, Any],
) -> None:
    clock = FakeClock()
    (anna,) = await add_users(live_emulator, database, 1, now=clock.now())
    await live_emulator.driver.set_fault("sendMessage", kind, times=1, **options)
    assert (
        await reply(live_bot, database, clock, anna, "it", "start.welcome", {"name": "A"}) is None
    )
    (row,) = await rows(database)
    assert (row.chat_id, row.lane, row.template_key) == (anna, 0, "start.welcome")
    wait = options.get("retry_after", 0)
    assert (row.next_attempt_at - clock.now()).total_seconds() == wait


async def test_a_reply_with_a_bad_request_is_the_callers_error(
    database: Database, live_bot: telegram.Bot
) -> None:
    with pytest.raises(telegram.error.BadRequest):
        await reply(
            live_bot, database, FakeClock(), 424242, "it", "notify.broadcast", {"text": "x"}
        )
    assert await rows(database) == []


@pytest.mark.slow
async def test_a_user_who_blocked_the_bot_is_reachable_again_once_they_write(
    running_bot: Runtime, emulator: Any
) -> None:
    driver, db = emulator.driver, running_bot.components.db
    anna = await driver.create_user("Anna", language_code="it")
    await driver.send_command(anna, "start")
    await driver.wait_for_message(anna.id)
    now = running_bot.components.clock.now()

    await driver.block_bot(anna)
    async with db.unit_of_work() as uow:
        await outbox.enqueue(uow, anna.id, "notify.broadcast", {"text": "one"}, now=now)
        await uow.commit()
    running_bot.components.sender.wake()  # type: ignore[union-attr]
    for _ in range(100):
        if (await user(db, anna.id)).unreachable_since is not None:
            break
        await asyncio.sleep(0.05)
    assert (await user(db, anna.id)).unreachable_since is not None

    await driver.block_bot(anna, blocked=False)
    await driver.send_text(anna, "ciao")  # any update from her, not only /start
    for _ in range(100):
        if (await user(db, anna.id)).unreachable_since is None:
            break
        await asyncio.sleep(0.05)
    assert (await user(db, anna.id)).unreachable_since is None
    async with db.unit_of_work() as uow:
        await outbox.enqueue(uow, anna.id, "notify.broadcast", {"text": "two"}, now=now)
        await uow.commit()
    running_bot.components.sender.wake()  # type: ignore[union-attr]
    message = await driver.wait_for_message(anna.id, lambda m: "two" in (m.text or ""))
    assert message.text == "📣 two"
