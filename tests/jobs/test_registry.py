"""The jobs registry: one list, runs recorded, visible from another process, in readiness."""

from __future__ import annotations

import json
import logging
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adsbot.adapters.clock import FakeClock
from adsbot.jobs.registry import JOBS, JobContext, JobSpec, run_and_record
from adsbot.runtime import Runtime
from adsbot.storage.database import Database
from adsbot.web.metrics import Metrics
from adsbot.web.runtime_checks import jobs_check, outbox_lag_check
from tests import harness
from tests.outbox.helpers import queue

ROOT = Path(__file__).resolve().parents[2]
GET_JOBS = (
    "import json; from adsbot.bot import scheduler; "
    "print(json.dumps([[j.id, j.name, j.next_run_time and j.next_run_time.isoformat()] "
    "for j in scheduler.get_jobs()]))"
)


def test_the_registry_declares_the_sender_the_sweeper_and_both_prunes() -> None:
    assert [spec.name for spec in JOBS] == [
        "outbox_sender",
        "timers_sweep",
        "inbox_prune",
        "outbox_prune",
    ]


def _get_jobs_in_another_process(url: str) -> list[list[Any]]:
    env = harness.child_env(DATABASE_URL=url, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [harness.PYTHON, "-c", GET_JOBS],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    result: list[list[Any]] = json.loads(done.stdout)
    return result


@pytest.mark.slow
async def test_get_jobs_works_from_another_process_before_and_after_a_run(
    sqlite_url: str, sqlite_database: Database
) -> None:
    before = _get_jobs_in_another_process(sqlite_url)
    assert [(job_id, next_run) for job_id, _, next_run in before] == [
        (spec.name, None) for spec in JOBS
    ]
    assert all(name for _, name, _ in before)

    clock = FakeClock()
    await run_and_record(JOBS[2], JobContext(db=sqlite_database, clock=clock))
    after = {job_id: next_run for job_id, _, next_run in _get_jobs_in_another_process(sqlite_url)}
    assert after["inbox_prune"] == (clock.now() + timedelta(hours=1)).isoformat()


async def test_each_run_is_recorded_with_its_result_and_failures_are_counted(
    database: Database,
) -> None:
    async def boom(_ctx: JobContext) -> str:
        raise RuntimeError("no")

    async def fine(_ctx: JobContext) -> str:
        return "ok, 3 things"

    metrics = Metrics()
    ctx = JobContext(db=database, clock=FakeClock(), metrics=metrics)
    failing = JobSpec("boom", "Fails", timedelta(seconds=5), boom)
    assert await run_and_record(failing, ctx) == "failed: RuntimeError"
    assert await run_and_record(JobSpec("fine", "Works", timedelta(seconds=5), fine), ctx) == (
        "ok, 3 things"
    )
    rendered = metrics.render().decode()
    assert 'adsbot_job_runs_total{job="boom",result="failed"} 1.0' in rendered
    assert 'adsbot_job_runs_total{job="fine",result="ok"} 1.0' in rendered
    assert 'adsbot_job_seconds_count{job="fine"} 1.0' in rendered


async def test_readiness_fails_for_a_job_that_missed_three_intervals(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()

    async def fine(_ctx: JobContext) -> str:
        return "ok"

    spec = JobSpec("sweep", "Sweep", timedelta(seconds=5), fine)
    check = jobs_check(database, clock, [spec])
    assert await check() is None  # just started: not held against it
    monkeypatch.setattr("adsbot.web.runtime_checks.time.monotonic", lambda: 10**9)
    assert await check() == "jobs not run for 3 intervals: sweep"
    await run_and_record(spec, JobContext(db=database, clock=clock))
    assert await check() is None
    clock.advance(seconds=16)
    assert await check() == "jobs not run for 3 intervals: sweep"


async def test_readiness_fails_when_the_outbox_lags_and_metrics_show_it(
    database: Database,
) -> None:
    clock, metrics = FakeClock(), Metrics()
    check = outbox_lag_check(database, clock, metrics, max_lag_s=120)
    await queue(database, [1, 2], now=clock.now())
    clock.advance(seconds=100)
    assert await check() is None
    clock.advance(seconds=30)
    assert await check() == "outbox lag 130s over 120s"
    rendered = metrics.render().decode()
    assert "adsbot_outbox_depth 2.0" in rendered
    assert "adsbot_outbox_lag_seconds 130.0" in rendered


async def test_the_startup_line_counts_the_registered_jobs(
    bot_settings: Any, fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adsbot")
    runtime = Runtime(bot_settings, clock=fake_clock)
    await runtime.start()
    try:
        assert runtime.components.sender is not None and runtime.components.sender.running
    finally:
        await runtime.stop()
    assert f"APScheduler initialized: {len(JOBS)} jobs" in caplog.text
    assert runtime.components.sender is not None and not runtime.components.sender.running
