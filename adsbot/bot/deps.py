"""What handlers need, handed to them once at registration (no lookups in bot_data)."""

from __future__ import annotations

from dataclasses import dataclass

from adsbot.adapters.clock import Clock
from adsbot.settings import Settings
from adsbot.storage.database import Database


@dataclass(frozen=True)
class BotDeps:
    settings: Settings
    db: Database
    clock: Clock
