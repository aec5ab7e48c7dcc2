"""An outbox sender in its own process (the crash test kills it):
`python -m tests.outbox.sender_child` with DATABASE_URL, TELEGRAM_API_BASE_URL, TELEGRAM_TOKEN.

Sends until nothing is pending, with a 1-second lease and batches of 20.
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta

import telegram
from sqlalchemy import func, select

from adsbot.adapters.clock import SystemClock
from adsbot.jobs.outbox_sender import OutboxSender, SenderConfig
from adsbot.jobs.pacing import PaceLimits
from adsbot.storage.database import Database
from adsbot.storage.models import OutboxMessage

BATCH = 20


async def pending(db: Database) -> int:
    async with db.unit_of_work(read_only=True) as uow:
        statement = select(func.count()).where(OutboxMessage.status == "pending")
        return int((await uow.session.execute(statement)).scalar_one())


async def main() -> None:
    db = Database.from_url(os.environ["DATABASE_URL"])
    base = os.environ["TELEGRAM_API_BASE_URL"]
    bot = telegram.Bot(os.environ["TELEGRAM_TOKEN"], base_url=f"{base}/bot")
    config = SenderConfig(
        limits=PaceLimits().scaled(4), batch_size=BATCH, lease=timedelta(seconds=1)
    )
    async with bot:
        sender = OutboxSender(db, bot, SystemClock(), config=config)
        while await pending(db):
            if (await sender.run_pass()).claimed == 0:
                await asyncio.sleep(0.2)  # rows leased by a killed sender come back soon
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
