"""Alembic environment: always a synchronous connection handed in by `adsbot.storage.migrate`."""

from __future__ import annotations

from alembic import context

import adsbot.storage.models  # noqa: F401 - registers every table on the metadata
from adsbot.storage.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `adsbot migrate` (adsbot.storage.migrate)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
