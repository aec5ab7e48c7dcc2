"""`from adsbot.config import *` (the staging plan's step 4.4) loads and validates the settings.

`settings` is built on first access (PEP 562), never at import time of other modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adsbot.settings import Settings, load_settings

__all__ = ["Settings", "load_settings", "settings"]

if TYPE_CHECKING:
    settings: Settings

_cached: Settings | None = None


def __getattr__(name: str) -> Any:
    global _cached
    if name == "settings":
        if _cached is None:
            _cached = load_settings()
        return _cached
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
