"""No secret reaches a log (DESIGN section 3, "Logs"), even at DEBUG and even in tracebacks.

`python main.py` runs a whole session at DEBUG with a realistic token, a webhook secret and an
OpenAI key, while the Bot API answers 5xx and hangs and the OpenAI server is not there at all.
Then stderr and every file in LOG_DIR are searched for the three secrets. The test also insists
that tracebacks and the redaction mark are there, so it cannot pass because nothing was logged.
"""

from __future__ import annotations

import secrets
import signal
import string
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adsbot.adapters.clock import SystemClock
from adsbot.logs import REDACTED
from adsbot.sandbox.emulator.runner import RunningEmulator, running_emulator
from adsbot.sandbox.emulator.testing import TEST_DELIVERY
from tests import harness
from tests.bot.helpers import Person
from tests.processes import BotProcess

pytestmark = pytest.mark.slow

_ALPHABET = string.ascii_letters + string.digits + "_-"
BOT_SECRET = "AAH" + "".join(secrets.choice(_ALPHABET) for _ in range(32))
TOKEN = f"7012345678:{BOT_SECRET}"
WEBHOOK_SECRET = "whsec_" + secrets.token_urlsafe(24)
OPENAI_KEY = "sk-test-" + secrets.token_urlsafe(36)


@pytest.fixture
async def live_emulator() -> AsyncIterator[RunningEmulator]:
    """Separate processes run on real time; this emulator knows only the realistic token."""
    async with running_emulator(SystemClock(), rate_limits=False, delivery=TEST_DELIVERY) as emu:
        emu.register_bot(TOKEN)
        yield emu


async def _session(person: Person) -> None:
    """/start, menu buttons, settings changes; some of them while Telegram is failing."""
    driver = person.driver
    await person.command("start")
    await person.press("m:settings")
    await person.press("set:lang")
    await person.press("set:lang:en")

    # 5xx on sendMessage: a command's reply fails, and something still arrives afterwards.
    await driver.set_fault("sendMessage", "server_error", status=502, times=1)
    await driver.send_command(person.user, "help")
    await driver.wait_for_message(person.id, timeout=10)

    # A hanging editMessageText (answered 504 after a short hang): a press's screen fails.
    await driver.set_fault("editMessageText", "timeout", hang_seconds=0.5, times=1)
    pressed = await driver.press_button(person.user, data="m:home")
    await driver.wait_for_answer(pressed.id, timeout=10)
    await driver.clear_faults()

    # A 400 nobody expects: the handler fails and the error handler logs its traceback.
    await driver.set_fault(
        "sendMessage", "error", status=400, description="Bad Request: injected", times=1
    )
    await driver.send_command(person.user, "start")
    await driver.wait_for_message(person.id, timeout=10)  # the apology

    await person.command("start")
    await person.press("m:settings")
    await person.press("set:notif")
    await person.press("set:mute:news:1")
    await person.command("settings")


async def test_a_debug_session_with_failures_logs_no_secret(
    tmp_path: Path, live_emulator: RunningEmulator, sqlite_url: str
) -> None:
    closed_port = harness.free_port()  # nobody listens: every OpenAI call is a network error
    bot = BotProcess.webhook(
        tmp_path,
        api_base_url=live_emulator.base_url,
        database_url=sqlite_url,
        token=TOKEN,
        secret=WEBHOOK_SECRET,
        LOG_LEVEL="DEBUG",
        OPENAI_API_KEY=OPENAI_KEY,
        OPENAI_BASE_URL=f"http://127.0.0.1:{closed_port}/v1",
    ).start()
    try:
        await bot.wait_for_line("Conversation handlers registered", timeout=30)
        anna = await Person.create(live_emulator, "Anna", username="anna_it", language_code="it")
        await _session(anna)
        bot.signal(signal.SIGTERM)
        assert await bot.wait_exit() == 0
    finally:
        bot.kill()

    logs = {"stderr": "\n".join(bot.lines)}
    for path in sorted((tmp_path / "logs").iterdir()):
        logs[path.name] = path.read_text(encoding="utf-8")
    assert {"stderr", "adsbot.log", "error.log"} <= logs.keys()
    for name, text in logs.items():
        for label, secret in (
            ("bot token secret", BOT_SECRET),
            ("webhook secret", WEBHOOK_SECRET),
            ("OpenAI key", OPENAI_KEY),
        ):
            assert secret not in text, f"the {label} is in {name}"
    everything = logs["stderr"]
    # Not vacuous: DEBUG lines, tracebacks (OpenAI and the Bot API), and redactions were logged.
    assert " DEBUG " in everything
    assert everything.count("Traceback (most recent call last)") >= 2, everything[-3000:]
    assert "OpenAI key check at" in everything and "APIConnectionError" in everything
    assert f"/bot{REDACTED}/sendMessage answered 502" in everything  # the URL, token masked
    assert REDACTED in everything
    assert "Handler failure" in logs["error.log"] and "Traceback" in logs["error.log"]
    assert logs["adsbot.log"].count("Traceback") >= 2
