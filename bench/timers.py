"""A timers sweep pass: 100,000 timers of which 1,000 are due, claims and completion included.

    .venv/bin/python bench/timers.py [--timers 100000] [--due 1000] [--passes 5]
                                     [--postgres postgresql://postgres@127.0.0.1:5432/test]

Timers fall due one per second; each pass moves `now` on by `due` seconds, so every pass meets
`due` fresh due timers among the whole table. A pass is `sweep()` as the job runs it: close stuck
no-retry timers, claim (one statement), run the (empty) handlers, complete (one statement).
Target: under 200 ms on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

from scratch import postgres_database, sqlite_database
from sqlalchemy import insert

from adsbot.adapters.clock import FakeClock
from adsbot.jobs.registry import JobContext
from adsbot.jobs.sweeper import sweep
from adsbot.services.timers import ClaimedTimer, TimerKinds
from adsbot.storage.database import Database
from adsbot.storage.models import Timer

START = datetime(2026, 3, 1, tzinfo=UTC)


async def bench(name: str, url: str, count: int, due: int, passes: int) -> None:
    db = Database.from_url(url)
    rows = [
        {
            "kind": "bench",
            "ref_id": n,
            "due_at": START + timedelta(seconds=n),
            "attempts": 0,
            "created_at": START,
        }
        for n in range(count)
    ]
    async with db.unit_of_work() as uow:
        for chunk in range(0, count, 5000):
            await uow.session.execute(insert(Timer), rows[chunk : chunk + 5000])
        await uow.commit()

    async def nothing(_ctx: object, _timer: ClaimedTimer) -> None:
        return None

    kinds = TimerKinds()
    kinds.register("bench", nothing)
    kinds.register("bench_no_retry", nothing, no_retry=True)  # so the stuck check runs too
    clock = FakeClock(START)
    ctx = JobContext(db=db, clock=clock, worker_id="bench", timer_kinds=kinds)
    timings = []
    for _ in range(passes):
        clock.advance(seconds=due)
        started = time.perf_counter()
        result = await sweep(ctx, clock.now(), limit=due)
        timings.append((time.perf_counter() - started) * 1000)
        assert result.claimed == result.done == due, result
    await db.dispose()
    print(
        f"{name}: sweep pass over {count:,} timers, {due:,} due: median "
        f"{statistics.median(timings):.0f} ms (passes: {', '.join(f'{t:.0f}' for t in timings)} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL server URL for a scratch database")
    args = parser.parse_args()
    with sqlite_database() as url:
        asyncio.run(bench("SQLite", url, args.timers, args.due, args.passes))
    if args.postgres:
        with postgres_database(args.postgres, "timers") as url:
            asyncio.run(bench("PostgreSQL", url, args.timers, args.due, args.passes))


if __name__ == "__main__":
    main()
