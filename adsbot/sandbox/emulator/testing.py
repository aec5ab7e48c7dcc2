"""Pytest fixtures for any test directory: import them into a conftest.py.

    from adsbot.sandbox.emulator.testing import emulator, emulator_bot, fake_clock  # noqa: F401

`emulator` fails the test at teardown if a callback query the bot received was left unanswered
(set `emulator.check_callbacks = False` in a test that means to leave one).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram
from telegram.request import HTTPXRequest

from adsbot.adapters.clock import FakeClock
from adsbot.sandbox.emulator.delivery import DeliveryPolicy
from adsbot.sandbox.emulator.runner import RunningEmulator, running_emulator

TEST_TOKEN = "123456789:AAEmulatorTestToken_adsbot"  # noqa: S105 - a made-up token

# Short enough for a fast suite, long enough for a loaded CI machine.
TEST_DELIVERY = DeliveryPolicy(timeout=3.0, first_retry=0.05, max_retry=0.4)


def make_bot(
    emu: RunningEmulator, token: str = TEST_TOKEN, *, timeout: float = 5.0
) -> telegram.Bot:
    """A real PTB Bot pointed at the emulator (API calls and file downloads)."""
    request = HTTPXRequest(read_timeout=timeout, connect_timeout=timeout)
    return telegram.Bot(
        token,
        base_url=emu.api_url,
        base_file_url=emu.file_url,
        request=request,
        get_updates_request=HTTPXRequest(read_timeout=timeout + 5),
    )


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def emulator(fake_clock: FakeClock) -> AsyncIterator[RunningEmulator]:
    """An in-process emulator on a free port, rate limits off, on the test's FakeClock."""
    async with running_emulator(fake_clock, rate_limits=False, delivery=TEST_DELIVERY) as emu:
        emu.register_bot(TEST_TOKEN)
        yield emu
        if emu.check_callbacks:
            await emu.driver.assert_callbacks_answered(timeout=3.0)


@pytest.fixture
async def emulator_bot(emulator: RunningEmulator) -> AsyncIterator[telegram.Bot]:
    """An initialised telegram.Bot talking to the `emulator` fixture."""
    async with make_bot(emulator) as bot:
        yield bot
