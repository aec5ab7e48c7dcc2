"""Outbox throughput against Telegram's ceiling, through the emulator with its rate limits on.

    .venv/bin/python bench/outbox.py [--messages 10000] [--users 2000] [--scale 1]
                                     [--postgres postgresql://postgres@127.0.0.1:5432/test]

Queues `messages` notifications to `users` users (transactional lane, round-robin over users),
then runs one sender until all are delivered. The emulator enforces Telegram-like buckets (1/s per
private chat with a small burst, 30/s overall); the sender is configured at 25/s overall. `--scale`
multiplies both together (a shorter run; the figure is then against the scaled ceiling). Prints the
achieved rate, its share of the configured rate, and the 429s received (target: ≥ 95%, zero).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from scratch import postgres_database, sqlite_database

from adsbot.adapters.clock import SystemClock
from adsbot.jobs.outbox_sender import OutboxSender, SenderConfig
from adsbot.jobs.pacing import PaceLimits
from adsbot.sandbox.emulator.runner import running_emulator
from adsbot.sandbox.emulator.testing import TEST_TOKEN, make_bot
from adsbot.services import outbox
from adsbot.storage.database import Database
from adsbot.storage.models import User


async def bench(name: str, url: str, messages: int, users: int, scale: float) -> None:
    clock = SystemClock()
    db = Database.from_url(url)
    limits = PaceLimits().scaled(scale)
    async with running_emulator(clock, rate_limits=True, rate_scale=scale) as emu:
        emu.register_bot(TEST_TOKEN)
        now = clock.now()
        ids = []
        async with db.unit_of_work() as uow:
            for n in range(users):
                person = emu.state.add_user(f"U{n}", language_code="it" if n % 2 else "en")
                emu.state.chats[person.id].started = True
                ids.append(person.id)
                uow.session.add(
                    User(
                        id=person.id,
                        first_name=f"U{n}",
                        language="it" if n % 2 else "en",
                        time_zone="Europe/Rome",
                        muted_categories=[],
                        is_demo=False,
                        created_at=now,
                        last_seen_at=now,
                    )
                )
            for n in range(messages):
                await outbox.enqueue(
                    uow, ids[n % users], "notify.broadcast", {"text": f"#{n}"}, now=now
                )
            await uow.commit()
        async with make_bot(emu, timeout=10) as bot:
            sender = OutboxSender(db, bot, clock, config=SenderConfig(limits=limits))
            started = time.monotonic()
            while sender.totals.sent < messages:
                if (await sender.run_pass()).claimed == 0:
                    await asyncio.sleep(0.05)
            elapsed = time.monotonic() - started
        delivered = sum(len(emu.state.chat_messages(chat_id)) for chat_id in ids)
    await db.dispose()
    rate = messages / elapsed
    print(
        f"{name}: {delivered} of {messages} delivered to {users} users in {elapsed:.1f}s = "
        f"{rate:.2f}/s, {100 * rate / limits.global_per_s:.1f}% of the configured "
        f"{limits.global_per_s:g}/s (emulator scale {scale:g}); 429s: "
        f"{sender.totals.rate_limited}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--scale", type=float, default=1.0, help="rates multiplied together")
    parser.add_argument("--postgres", help="a PostgreSQL server URL for a scratch database")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    if args.postgres:
        with postgres_database(args.postgres, "outbox") as url:
            asyncio.run(bench("PostgreSQL", url, args.messages, args.users, args.scale))
        return
    with sqlite_database() as url:
        asyncio.run(bench("SQLite", url, args.messages, args.users, args.scale))


if __name__ == "__main__":
    main()
