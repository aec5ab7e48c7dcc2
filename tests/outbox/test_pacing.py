"""Pacing against the emulator's own token buckets (rates scaled together to keep tests short)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest

from adsbot.adapters.clock import SystemClock
from adsbot.jobs.pacing import PaceLimits
from adsbot.sandbox.emulator.runner import RunningEmulator
from adsbot.services.outbox import Lane
from adsbot.storage.database import Database
from tests.outbox.conftest import SenderFactory, add_users, deliveries
from tests.outbox.helpers import queue, rows

SCALE = 5.0


@pytest.mark.slow
async def test_a_broadcast_of_1000_gets_no_429_and_reaches_90_percent_of_the_rate(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    db = database
    await live_emulator.driver.set_rate_limits(enabled=True, scale=SCALE)
    limits = PaceLimits().scaled(SCALE)
    users = await add_users(live_emulator, db, 1000, now=time_now())
    await queue(db, users, now=time_now(), lane=Lane.BROADCAST)
    sender = make_sender(limits=limits)

    started = time.monotonic()
    stats = await sender.run_pass()
    elapsed = time.monotonic() - started

    assert (stats.sent, stats.rate_limited) == (1000, 0)
    rate = 1000 / elapsed
    assert rate >= 0.9 * limits.global_per_s, f"{rate:.1f}/s of {limits.global_per_s:.0f}/s"


async def test_one_private_chat_gets_one_message_a_second_and_a_group_20_a_minute(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    await live_emulator.driver.set_rate_limits(enabled=True, scale=SCALE)
    (anna,) = await add_users(live_emulator, database, 1, now=time_now())
    group = live_emulator.state.add_chat("Gruppo", kind="supergroup").id
    await queue(database, [anna] * 6 + [group] * 8, now=time_now())
    sender = make_sender(limits=PaceLimits().scaled(SCALE), horizon_s=10.0)

    await sender.run_pass()

    assert sender.totals.rate_limited == 0
    assert {r.status for r in await rows(database)} == {"sent"}
    times = {
        chat: [at for at, c, _ in deliveries(live_emulator) if c == chat] for chat in (anna, group)
    }
    private_gaps = [b - a for a, b in zip(times[anna], times[anna][1:], strict=False)]
    assert min(private_gaps) >= 0.9 / SCALE
    group_gaps = [b - a for a, b in zip(times[group], times[group][1:], strict=False)]
    assert min(group_gaps) >= 0.9 * 3 / SCALE


def time_now() -> datetime:
    return SystemClock().now()


async def test_a_stalled_event_loop_does_not_turn_overslept_sends_into_a_burst(
    database: Database, live_emulator: RunningEmulator, make_sender: SenderFactory
) -> None:
    """A pause of the whole process (a full GC, a busy CPU) wakes every send that waited for a
    slot at once; they must be spread again, or Telegram's bucket answers 429."""
    db = database
    await live_emulator.driver.set_rate_limits(enabled=True, scale=SCALE)
    users = await add_users(live_emulator, db, 200, now=time_now())
    await queue(db, users, now=time_now(), lane=Lane.BROADCAST)
    sender = make_sender(limits=PaceLimits().scaled(SCALE))

    async def stall() -> None:
        await asyncio.sleep(0.2)
        time.sleep(0.6)  # the point: block the loop as a full GC would

    stats, _ = await asyncio.gather(sender.run_pass(), stall())
    assert (stats.sent, stats.rate_limited) == (200, 0)
