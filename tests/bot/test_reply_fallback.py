"""A screen that Telegram refuses for a moment (429, 5xx, a timeout) is not lost: it falls into
the outbox's transactional lane and the sender delivers it (DESIGN, "Messages out"). An edit that
fails that way arrives as a new message with the same screen."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adsbot.adapters.clock import FakeClock
from adsbot.runtime import Runtime
from adsbot.services.outbox import SCREEN_TEMPLATE
from adsbot.storage.models import OutboxMessage
from tests.bot.helpers import MENU_DATA, Person, data_of, rows

SETTINGS_DATA = ["set:lang", "set:tz", "set:notif", "m:home"]


async def _delivered_by_the_outbox(runtime: Runtime, clock: FakeClock, seconds: float) -> None:
    """Once the screen is queued, let the retry_after pass on the bot's clock; wake the sender."""
    for _ in range(100):
        if await rows(runtime, OutboxMessage):
            break
        await asyncio.sleep(0.02)
    clock.advance(seconds=seconds)
    assert runtime.components.sender is not None
    runtime.components.sender.wake()


async def _statuses(runtime: Runtime) -> list[tuple[str, str]]:
    """The outbox rows once the sender has recorded what it sent (it records after sending)."""
    for _ in range(100):
        found = [(r.template_key, r.status) for r in await rows(runtime, OutboxMessage)]
        if all(status != "pending" for _, status in found):
            break
        await asyncio.sleep(0.02)
    return found


async def test_a_press_whose_edit_gets_a_429_shows_its_screen_as_a_new_message_later(
    running_bot: Runtime, anna: Person, emulator: Any, fake_clock: FakeClock
) -> None:
    menu = await anna.command("start")
    await anna.driver.set_fault("editMessageText", "retry_after", retry_after=3, times=1)
    pressed = await anna.press("m:settings")
    assert pressed.answer.answered  # the press is answered at once all the same
    assert pressed.screen.message_id == menu.message_id and not pressed.screen.edited

    (row,) = await rows(running_bot, OutboxMessage)
    assert (row.chat_id, row.lane, row.template_key, row.status) == (
        anna.id,
        0,
        SCREEN_TEMPLATE,
        "pending",
    )
    assert (row.next_attempt_at - fake_clock.now()).total_seconds() == 3
    await _delivered_by_the_outbox(running_bot, fake_clock, 3)
    screen = await anna.driver.wait_for_message(anna.id, lambda m: m.message_id > menu.message_id)
    assert "Impostazioni" in (screen.text or "") and data_of(screen) == SETTINGS_DATA
    assert await _statuses(running_bot) == [(SCREEN_TEMPLATE, "sent")]
    # The screen that came late works like any other.
    assert "lingua" in ((await anna.press("set:lang")).screen.text or "")


@pytest.mark.parametrize(
    ("kind", "options"),
    [("retry_after", {"retry_after": 2}), ("server_error", {"status": 502})],
)
async def test_a_command_whose_reply_fails_gets_it_through_the_outbox(
    running_bot: Runtime,
    anna: Person,
    fake_clock: FakeClock,
    kind: str,
    options: dict[str, Any],
) -> None:
    await anna.command("start")
    await anna.driver.set_fault("sendMessage", kind, times=1, **options)
    before = (await anna.bot_messages())[-1].message_id
    await anna.driver.send_command(anna.user, "settings")
    await _delivered_by_the_outbox(running_bot, fake_clock, options.get("retry_after", 0))
    screen = await anna.driver.wait_for_message(anna.id, lambda m: m.message_id > before)
    assert "Impostazioni" in (screen.text or "") and data_of(screen) == SETTINGS_DATA
    assert await _statuses(running_bot) == [(SCREEN_TEMPLATE, "sent")]


async def test_a_timed_out_edit_falls_back_to_a_new_message(
    running_bot: Runtime, anna: Person, fake_clock: FakeClock
) -> None:
    await anna.command("start")
    await anna.press("m:help")
    # The emulator hangs, then answers 504 (what a proxy in front of Telegram does).
    await anna.driver.set_fault("editMessageText", "timeout", hang_seconds=0.2, times=1)
    pressed = await anna.press("m:home")
    await _delivered_by_the_outbox(running_bot, fake_clock, 0)
    screen = await anna.driver.wait_for_message(
        anna.id, lambda m: m.message_id > pressed.screen.message_id
    )
    assert data_of(screen) == MENU_DATA
