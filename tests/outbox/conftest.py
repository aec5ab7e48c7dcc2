"""Fixtures for messages out: an emulator on real time (pacing is real time), a PTB bot on it,
and users who exist both in the emulator (having started the bot) and in our database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import pytest
import telegram

from adsbot.adapters.clock import Clock, SystemClock
from adsbot.jobs.outbox_sender import OutboxSender, SenderConfig
from adsbot.sandbox.emulator.runner import RunningEmulator, running_emulator
from adsbot.sandbox.emulator.testing import TEST_DELIVERY, TEST_TOKEN, make_bot
from adsbot.storage.database import Database
from adsbot.storage.models import User
from adsbot.web.metrics import Metrics


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (an error under filterwarnings=error) when RetryAfter is built unless
    # durations are opted in as timedelta.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def live_emulator() -> AsyncIterator[RunningEmulator]:
    """An emulator on the system clock, rate limits off unless a test turns them on."""
    async with running_emulator(SystemClock(), rate_limits=False, delivery=TEST_DELIVERY) as emu:
        emu.register_bot(TEST_TOKEN)
        yield emu


@pytest.fixture
async def live_bot(live_emulator: RunningEmulator) -> AsyncIterator[telegram.Bot]:
    async with make_bot(live_emulator, timeout=2.0) as bot:
        yield bot


async def add_users(
    emu: RunningEmulator,
    db: Database,
    count: int,
    *,
    language: str = "it",
    now: datetime,
) -> list[int]:
    """`count` users who started the bot (so it may write to them), stored in our database."""
    ids = []
    async with db.unit_of_work() as uow:
        for n in range(count):
            person = emu.state.add_user(f"U{n}", language_code=language)
            emu.state.chats[person.id].started = True
            ids.append(person.id)
            uow.session.add(
                User(
                    id=person.id,
                    first_name=f"U{n}",
                    language=language,
                    time_zone="Europe/Rome",
                    muted_categories=[],
                    is_demo=False,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        await uow.commit()
    return ids


def bot_texts(emu: RunningEmulator, chat_id: int) -> list[str]:
    bot_id = emu.state.default_bot().user.id
    return [m.content.text or "" for m in emu.state.chat_messages(chat_id) if m.sender.id == bot_id]


SenderFactory = Callable[..., OutboxSender]


@pytest.fixture
def make_sender(database: Database, live_bot: telegram.Bot) -> SenderFactory:
    def build(
        clock: Clock | None = None,
        config: SenderConfig | None = None,
        bot: telegram.Bot | None = None,
        **options: Any,
    ) -> OutboxSender:
        return OutboxSender(
            database,
            bot or live_bot,
            clock or SystemClock(),
            Metrics(),
            config or SenderConfig(**options),
        )

    return build


def deliveries(emu: RunningEmulator) -> list[tuple[float, int, str]]:
    """(time, chat id, text) of every message the bot sent, in the order the emulator took them."""
    return [
        (event["at"], event["chat_id"], event["message"].get("text", ""))
        for event in emu.state.events
        if event["type"] == "message" and event["message"]["from_bot"]
    ]
