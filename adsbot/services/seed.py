"""Seed the sandbox's demo data: the personas of `adsbot/sandbox/personas.json` as users.

One unit of work, idempotent: a persona already in the database is left as it is, so running the
seed twice changes nothing.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adsbot.storage.database import Database
from adsbot.storage.models import User

PERSONAS_FILE = Path(__file__).resolve().parent.parent / "sandbox" / "personas.json"


@dataclass(frozen=True)
class Persona:
    key: str
    id: int
    first_name: str
    language: str
    seed: bool
    role: str = ""
    username: str | None = None
    admin: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "id": self.id,
            "first_name": self.first_name,
            "language": self.language,
            "seed": self.seed,
            "role": self.role,
            "username": self.username,
            "admin": self.admin,
        }


def load_personas(path: Path = PERSONAS_FILE) -> list[Persona]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [Persona(**item) for item in raw["personas"]]


def admin_ids(personas: list[Persona]) -> list[int]:
    return [p.id for p in personas if p.admin]


async def seed_demo(db: Database, personas: list[Persona], now: datetime | None = None) -> int:
    """Insert the seeded personas as demo users; returns how many were new."""
    moment = now or datetime.now(UTC)
    created = 0
    async with db.unit_of_work() as uow:
        for persona in personas:
            if not persona.seed or await uow.session.get(User, persona.id) is not None:
                continue
            uow.session.add(
                User(
                    id=persona.id,
                    username=persona.username,
                    first_name=persona.first_name,
                    language=persona.language,
                    muted_categories=[],
                    is_demo=True,
                    created_at=moment,
                    last_seen_at=moment,
                )
            )
            created += 1
        await uow.commit()
    return created


def seed_url(url: str, personas: list[Persona] | None = None) -> int:
    """Seed the database at `url` (already migrated) from synchronous code."""

    async def run() -> int:
        db = Database.from_url(url)
        try:
            return await seed_demo(db, personas if personas is not None else load_personas())
        finally:
            await db.dispose()

    return asyncio.run(run())
