"""The audit log: who did what to what, and when. Rows are written inside the unit of work of the
change they describe, so an action and its audit row commit together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from adsbot.storage.database import Database
from adsbot.storage.models import AuditLog
from adsbot.storage.uow import UnitOfWork


@dataclass(frozen=True)
class AuditEntry:
    actor_id: int | None
    action: str
    target: str | None
    details: dict[str, Any]
    created_at: datetime


def record(
    uow: UnitOfWork,
    actor_id: int | None,
    action: str,
    target: str | None,
    details: dict[str, Any],
    now: datetime,
) -> None:
    """Add an audit row to the caller's unit of work (the caller commits)."""
    uow.session.add(
        AuditLog(
            actor_id=actor_id,
            action=action,
            target=target[:128] if target else None,
            details=details,
            created_at=now,
        )
    )


async def record_alone(
    db: Database,
    actor_id: int | None,
    action: str,
    target: str | None,
    details: dict[str, Any],
    now: datetime,
) -> None:
    """An audit row that is its own unit of work (a refused attempt changes nothing else)."""
    async with db.unit_of_work() as uow:
        record(uow, actor_id, action, target, details, now)
        await uow.commit()


async def recent(db: Database, limit: int = 10) -> list[AuditEntry]:
    """The newest rows first."""
    async with db.unit_of_work(read_only=True) as uow:
        rows = (
            await uow.session.execute(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit))
        ).scalars()
        return [
            AuditEntry(r.actor_id, r.action, r.target, dict(r.details or {}), r.created_at)
            for r in rows
        ]
