"""`python main.py` as a process: start-up lines, crash and replay, shutdown under load."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from adsbot.sandbox.emulator.runner import serve_asgi
from adsbot.sandbox.emulator.testing import TEST_TOKEN
from adsbot.sandbox.fake_openai import build_fake_openai
from adsbot.storage.models import InboxUpdate, User
from tests.conftest import WEBHOOK_SECRET
from tests.processes import BotProcess

pytestmark = pytest.mark.slow

PLAN_ORDER = [
    "Bot started successfully",
    "Telegram connection established",
    "Database connected",
    "OpenAI",
    "APScheduler initialized",
    "Conversation handlers registered",
]


@pytest.fixture
async def fake_openai_url() -> AsyncIterator[str]:
    async with serve_asgi(build_fake_openai()) as port:
        yield f"http://127.0.0.1:{port}/v1"


def _bot(tmp_path: Path, emulator: Any, sqlite_url: str, **extra: str) -> BotProcess:
    return BotProcess.webhook(
        tmp_path,
        api_base_url=emulator.base_url,
        database_url=sqlite_url,
        token=TEST_TOKEN,
        secret=WEBHOOK_SECRET,
        **extra,
    )


def _rows(sqlite_url: str, model: Any) -> list[Any]:
    engine = create_engine(sqlite_url)
    try:
        with Session(engine) as session:
            return list(session.execute(select(model)).scalars())
    finally:
        engine.dispose()


def _positions(lines: list[str]) -> list[int]:
    positions = []
    for prefix in PLAN_ORDER:
        matches = [i for i, line in enumerate(lines) if f" - {prefix}" in line]
        assert matches, f"missing start-up line {prefix!r}:\n" + "\n".join(lines)
        positions.append(matches[0])
    return positions


@pytest.mark.parametrize("with_key", [True, False])
async def test_startup_lines_come_in_the_plans_order_and_sigterm_exits_0(
    tmp_path: Path, emulator: Any, sqlite_url: str, fake_openai_url: str, with_key: bool
) -> None:
    extra = (
        {"OPENAI_API_KEY": "sk-test-valid", "OPENAI_BASE_URL": fake_openai_url} if with_key else {}
    )
    bot = _bot(tmp_path, emulator, sqlite_url, **extra).start()
    try:
        await bot.wait_for_line("Conversation handlers registered")
        positions = _positions(bot.lines)
        assert positions == sorted(positions)
        openai_line = bot.lines[positions[3]]
        expected = "OpenAI API key validated" if with_key else "OpenAI disabled: no key"
        assert expected in openai_line
        assert "@adsbot_test_bot" in bot.lines[positions[1]]
        assert "(revision " in bot.lines[positions[2]]
        # Each optional feature left unset says so once (no ADMIN_IDS or EVIDENCE_CHAT_ID here).
        await bot.wait_for_line("XTR_PAYOUT_RATE not set")
        assert any("ADMIN_IDS not set: nobody has admin rights" in line for line in bot.lines)
        assert any("EVIDENCE_CHAT_ID not set: ordering is off" in line for line in bot.lines)
        info = [line for line in bot.lines if " INFO " in line]
        assert not [line for line in info if "error" in line.lower()]
        bot.signal(signal.SIGTERM)
        assert await bot.wait_exit() == 0
        assert any("Stopped cleanly" in line for line in bot.lines)
    finally:
        bot.kill()


async def test_an_invalid_openai_key_is_reported_and_the_bot_still_starts(
    tmp_path: Path, emulator: Any, sqlite_url: str, fake_openai_url: str
) -> None:
    bot = _bot(
        tmp_path, emulator, sqlite_url, OPENAI_API_KEY="sk-wrong", OPENAI_BASE_URL=fake_openai_url
    ).start()
    try:
        line = await bot.wait_for_line("OpenAI key invalid")
        assert " WARNING " in line
        await bot.wait_for_line("Conversation handlers registered")
        bot.signal(signal.SIGINT)
        assert await bot.wait_exit() == 0
    finally:
        bot.kill()


async def test_an_update_interrupted_by_sigkill_is_handled_once_after_restart(
    tmp_path: Path, emulator: Any, sqlite_url: str
) -> None:
    driver = emulator.driver
    anna = await driver.create_user("Anna")
    first = _bot(tmp_path, emulator, sqlite_url).start()
    try:
        await first.wait_for_line("Conversation handlers registered")
        # The reply hangs inside Telegram: the update is stored, the handler is mid-flight.
        await driver.set_fault("sendMessage", "timeout", hang_seconds=30)
        await driver.send_command(anna, "start")
        for _ in range(100):
            if _rows(sqlite_url, InboxUpdate):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        first.signal(signal.SIGKILL)
        await first.wait_exit()
    finally:
        first.kill()
    assert [row.status for row in _rows(sqlite_url, InboxUpdate)] == ["pending"]
    await driver.clear_faults()

    second = BotProcess(first.env, tmp_path).start()
    try:
        await second.wait_for_line("Replaying 1 stored updates")
        reply = await driver.wait_for_message(anna.id, timeout=10)
        assert "Anna" in reply.text
        for _ in range(100):
            if [r.status for r in _rows(sqlite_url, InboxUpdate)] == ["done"]:
                break
            await asyncio.sleep(0.05)
        assert [r.status for r in _rows(sqlite_url, InboxUpdate)] == ["done"]
        assert len(_rows(sqlite_url, User)) == 1
        messages = await driver.messages(anna.id)
        assert len([m for m in messages if m.from_bot]) == 1
        second.signal(signal.SIGTERM)
        assert await second.wait_exit() == 0
    finally:
        second.kill()


async def test_sigterm_under_load_exits_0_and_leaves_no_row_half_done(
    tmp_path: Path, emulator: Any, sqlite_url: str
) -> None:
    driver = emulator.driver
    bot = _bot(tmp_path, emulator, sqlite_url).start()
    try:
        await bot.wait_for_line("Conversation handlers registered")
        users = [await driver.create_user(f"U{i}") for i in range(30)]
        await asyncio.gather(*(driver.send_command(u, "start") for u in users))
        await asyncio.sleep(0.2)
        bot.signal(signal.SIGTERM)
        assert await bot.wait_exit() == 0
    finally:
        bot.kill()
    rows = _rows(sqlite_url, InboxUpdate)
    assert rows, "the load reached the bot"
    assert {row.status for row in rows} <= {"done", "pending"}
    # Every row marked done got its reply; pending ones are replayed at the next start.
    done = [row for row in rows if row.status == "done"]
    for row in done:
        chat_id = row.payload["message"]["chat"]["id"]
        assert [m for m in await driver.messages(chat_id) if m.from_bot]
