"""The staging plan's database one-liners (steps 3.1, 3.3, 6.2, 3.3.3).

`engine` is a synchronous engine and `get_session()` a plain synchronous `Session`, both built
on first access from the settings (PEP 562): importing this module connects to nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from adsbot.storage.models import AuditLog, ConversationState, User

__all__ = ["AuditLog", "ConversationState", "User", "engine", "get_session"]

if TYPE_CHECKING:
    engine: Engine

_engine: Engine | None = None


def _build_engine() -> Engine:
    from adsbot.config import settings
    from adsbot.storage.engine import create_sync_engine

    return create_sync_engine(settings.database_url)


def __getattr__(name: str) -> Any:
    global _engine
    if name == "engine":
        if _engine is None:
            _engine = _build_engine()
        return _engine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_session() -> Session:
    """A synchronous session on the configured database (close it when done)."""
    return Session(__getattr__("engine"))
