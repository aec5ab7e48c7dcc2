"""At head, the database itself refuses to edit money already moved (DESIGN section 4).

Run against the migrated schema, so a later SQLite batch migration that recreates these tables
without their triggers fails here.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from adsbot.services.ledger import transfer_now
from adsbot.storage.database import Database
from adsbot.storage.engine import create_sync_engine
from tests.ledger.helpers import ALICE, NOW, TOPUPS, funds, move

EDITS = [
    "UPDATE ledger_postings SET amount = amount + 1",
    "DELETE FROM ledger_postings",
    "UPDATE ledger_transactions SET kind = 'other'",
    "DELETE FROM ledger_transactions",
]


@pytest.fixture
async def url_with_money(database_url: str) -> str:
    database = Database.from_url(database_url)
    try:
        await transfer_now(
            database, "topup:c1", [move(TOPUPS, funds(ALICE), 10)], kind="topup", now=NOW
        )
    finally:
        await database.dispose()
    return database_url


@pytest.mark.parametrize("statement", EDITS)
def test_postings_and_transactions_refuse_updates_and_deletes(
    url_with_money: str, statement: str
) -> None:
    engine = create_sync_engine(url_with_money)
    try:
        with engine.connect() as connection, pytest.raises(DBAPIError, match="insert-only"):
            connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["ledger_postings", "ledger_transactions"])
def test_postgres_refuses_to_truncate_the_ledger(postgres_url: str, table: str) -> None:
    engine = create_sync_engine(postgres_url)
    try:
        with engine.connect() as connection, pytest.raises(DBAPIError, match="insert-only"):
            connection.execute(text(f"TRUNCATE {table} CASCADE"))
    finally:
        engine.dispose()
