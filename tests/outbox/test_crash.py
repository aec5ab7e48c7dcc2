"""SIGKILL the sender in the middle of a batch, start it again: every row is delivered, and no
more messages than one batch are delivered twice."""

from __future__ import annotations

import asyncio
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from adsbot.adapters.clock import SystemClock
from adsbot.sandbox.emulator.runner import RunningEmulator
from adsbot.sandbox.emulator.testing import TEST_TOKEN
from adsbot.storage.database import Database
from tests import harness
from tests.outbox.conftest import add_users, deliveries
from tests.outbox.helpers import queue, rows
from tests.outbox.sender_child import BATCH

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [harness.PYTHON, "-m", "tests.outbox.sender_child"], env=env, cwd=ROOT, stderr=stderr
        )


async def test_a_killed_sender_loses_nothing_and_repeats_at_most_one_batch(
    database: Database, database_url: str, live_emulator: RunningEmulator, tmp_path: Path
) -> None:
    now = SystemClock().now()
    users = await add_users(live_emulator, database, 300, now=now)
    await queue(database, users, now=now)
    env = harness.child_env(
        DATABASE_URL=database_url,
        TELEGRAM_API_BASE_URL=live_emulator.base_url,
        TELEGRAM_TOKEN=TEST_TOKEN,
        PYTHONPATH=str(ROOT),
        PTB_TIMEDELTA="1",
    )

    first = _start(env, tmp_path / "first.log")
    while len(deliveries(live_emulator)) < 90:  # mid-way, with a batch in flight
        assert first.poll() is None, (tmp_path / "first.log").read_text()
        await asyncio.sleep(0.01)
    first.kill()
    first.wait()
    assert len(deliveries(live_emulator)) < len(users)

    second = _start(env, tmp_path / "second.log")
    while second.poll() is None:
        await asyncio.sleep(0.05)
    assert second.returncode == 0, (tmp_path / "second.log").read_text()

    per_chat = Counter(chat_id for _, chat_id, _ in deliveries(live_emulator))
    assert set(per_chat) == set(users)  # every row delivered
    duplicates = sum(count - 1 for count in per_chat.values())
    assert duplicates <= BATCH
    assert {r.status for r in await rows(database)} == {"sent"}
