"""Polling mode end to end, and each reason /readyz gives for not being ready."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from adsbot.adapters.clock import FakeClock
from adsbot.adapters.telegram import TelegramHealth
from adsbot.runtime import Runtime
from adsbot.sandbox.emulator.testing import TEST_TOKEN
from adsbot.services import inbox
from adsbot.storage.database import Database
from adsbot.web.metrics import Metrics
from adsbot.web.readiness import Readiness
from tests import harness


async def test_polling_mode_answers_start(
    make_settings: Any, emulator: Any, sqlite_url: str, fake_clock: FakeClock
) -> None:
    settings = make_settings(
        TELEGRAM_TOKEN=TEST_TOKEN,
        TELEGRAM_API_BASE_URL=emulator.base_url,
        HOST="127.0.0.1",
        PORT=harness.free_port(),
        DATABASE_URL=sqlite_url,
    )
    runtime = Runtime(settings, clock=fake_clock)
    await runtime.start()
    try:
        driver = emulator.driver
        anna = await driver.create_user("Anna")
        await driver.send_command(anna, "start")
        reply = await driver.wait_for_message(anna.id, timeout=10)
        assert "Anna" in reply.text
        await driver.send_command(anna, "start")
        await driver.wait_for_message(anna.id, timeout=10)
        await runtime.components.worker.wait_idle(5)
        rows = await inbox.pending(runtime.components.db)
        assert rows == []
    finally:
        await runtime.stop()


async def _ready(runtime: Runtime) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{runtime.port}/readyz")


async def test_readyz_names_an_inbox_lag_over_the_limit(
    running_bot: Runtime, fake_clock: FakeClock
) -> None:
    assert (await _ready(running_bot)).status_code == 200
    old = {"update_id": 4242, "poll": {"id": "p"}}
    # Stored but never handed to the worker, as after a stall.
    await inbox.store(running_bot.components.db, old, fake_clock.now())
    fake_clock.advance(seconds=running_bot.settings.READY_MAX_INBOX_LAG_S + 5)
    answer = await _ready(running_bot)
    assert answer.status_code == 503
    assert any("inbox lag" in reason for reason in answer.json()["failing"])


async def test_readyz_names_telegram_when_the_last_call_failed(
    running_bot: Runtime, emulator: Any
) -> None:
    driver = emulator.driver
    anna = await driver.create_user("Anna")
    await driver.set_fault("sendMessage", "server_error", status=502)
    await driver.send_command(anna, "start")
    for _ in range(100):
        if running_bot.components.health.last_ok is False:
            break
        await asyncio.sleep(0.05)
    await running_bot.components.worker.wait_idle(5)
    answer = await _ready(running_bot)
    assert answer.status_code == 503
    assert any("telegram" in reason for reason in answer.json()["failing"])
    await driver.clear_faults()
    # Nothing calls Telegram on a quiet bot: once the failure is old, /readyz asks (getMe).
    running_bot.components.readiness.probe_after_s = 0.0
    assert (await _ready(running_bot)).status_code == 200


async def test_readyz_names_an_unreachable_database(make_settings: Any, tmp_path: Any) -> None:
    settings = make_settings(READY_GRACE_S=0)
    # Nothing listens on port 1: the connection is refused at once (no data can be touched).
    db = Database.from_url("postgresql://nobody@127.0.0.1:1/none")
    try:
        readiness = Readiness(settings, db, FakeClock(), TelegramHealth(), Metrics())
        assert await readiness.failures() == ["database unreachable"]
    finally:
        await db.dispose()


async def test_inbox_lag_is_not_counted_during_the_start_up_grace(
    make_settings: Any, sqlite_database: Database
) -> None:
    clock = FakeClock()
    await inbox.store(sqlite_database, {"update_id": 1, "poll": {"id": "p"}}, clock.now())
    clock.advance(timedelta(minutes=10))
    in_grace = Readiness(
        make_settings(READY_GRACE_S=60), sqlite_database, clock, TelegramHealth(), Metrics()
    )
    after_grace = Readiness(
        make_settings(READY_GRACE_S=0), sqlite_database, clock, TelegramHealth(), Metrics()
    )
    assert await in_grace.failures() == []
    assert ["inbox lag" in p for p in await after_grace.failures()] == [True]
