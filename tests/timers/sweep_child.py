"""A sweeper in its own process: `python -m tests.timers.sweep_child OUT GO` with DATABASE_URL set.

Creates OUT.ready once imported and connected, waits for the file GO (so both sweepers start
together, whatever each one's start-up took), runs the `race` kind until no timer is left
pending, then writes the ref ids it ran to OUT.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from adsbot.adapters.clock import SystemClock
from adsbot.jobs.sweeper import sweep
from adsbot.services import timers
from adsbot.services.timers import ClaimedTimer
from adsbot.storage.database import Database
from tests.timers.conftest import Ctx


async def main(out: Path, go: Path) -> None:
    db = Database.from_url(os.environ["DATABASE_URL"])
    ran: list[int] = []

    async def handler(_ctx: Ctx, timer: ClaimedTimer) -> None:
        ran.append(timer.ref_id)
        await asyncio.sleep(0.001)  # a handler does some work (a Telegram call, say)

    ctx = Ctx(db, SystemClock(), worker_id=f"child-{os.getpid()}")
    ctx.timer_kinds.register("race", handler)
    await timers.pending_count(db)  # connected
    out.with_suffix(".ready").touch()
    while not go.exists():
        await asyncio.sleep(0.01)
    try:
        while await timers.pending_count(db):
            await sweep(ctx, ctx.clock.now(), limit=20)
    finally:
        out.write_text("\n".join(map(str, ran)))
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
