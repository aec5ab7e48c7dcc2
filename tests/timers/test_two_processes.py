"""Two bot processes sweeping one database never run the same timer twice."""

from __future__ import annotations

import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from adsbot.adapters.clock import SystemClock
from adsbot.services import timers
from adsbot.storage.database import Database
from tests import harness

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


async def test_two_sweeper_processes_run_each_of_1000_timers_exactly_once(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    now = SystemClock().now()
    async with database.unit_of_work() as uow:
        for ref_id in range(1000):
            await timers.schedule(uow, "race", ref_id, now - timedelta(seconds=1), now=now)
        await uow.commit()

    outs = [tmp_path / "a.txt", tmp_path / "b.txt"]
    go = tmp_path / "go"
    env = harness.child_env(DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    children = [
        subprocess.Popen(
            [harness.PYTHON, "-m", "tests.timers.sweep_child", str(out), str(go)],
            env=env,
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in outs
    ]
    # A start barrier: a child that started a second early would otherwise sweep alone.
    deadline = time.monotonic() + 60
    while not all(out.with_suffix(".ready").exists() for out in outs):
        assert time.monotonic() < deadline, "sweepers did not start"
        assert all(child.poll() is None for child in children), "a sweeper exited early"
        time.sleep(0.01)
    go.touch()
    for child in children:
        _, errors = child.communicate(timeout=120)
        assert child.returncode == 0, errors

    runs = [[int(x) for x in out.read_text().split()] for out in outs]
    everything = runs[0] + runs[1]
    assert sorted(everything) == list(range(1000))  # every timer, none twice
    assert all(runs), "both processes should have taken a share"
