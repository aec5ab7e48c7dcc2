"""The audit finds each kind of damage, and names exactly that damage.

Each tamper test drops the insert-only triggers (and the CHECK or UNIQUE that would stop it) for its
own database copy, breaks one invariant by hand, and compares the audit's full list of violations.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, insert, text

from adsbot.cli.main import main
from adsbot.services import ledger_audit as la
from adsbot.services.ledger import transfer_now
from adsbot.services.ledger_audit import Violation, audit
from adsbot.storage import ledger_repo, ledger_triggers
from adsbot.storage.database import Database
from adsbot.storage.engine import create_sync_engine
from tests.ledger.helpers import ALICE, NOW, TOPUPS, escrow, funds, move

pytestmark = pytest.mark.ledger_tampered


async def _seed(url: str) -> None:
    """Alice tops up 100 and holds 40 for order 1; plus 10 EUR so a second currency exists."""
    database = Database.from_url(url)
    try:
        await transfer_now(
            database, "topup:c1", [move(TOPUPS, funds(ALICE), 100)], kind="topup", now=NOW
        )
        await transfer_now(
            database, "order:1:hold", [move(funds(ALICE), escrow(1), 40)], kind="hold", now=NOW
        )
        eur_topups = TOPUPS.of(TOPUPS.type, "EUR")
        await transfer_now(
            database, "topup:e1", [move(eur_topups, funds(ALICE, "EUR"), 10)], kind="topup", now=NOW
        )
    finally:
        await database.dispose()


def _ids(connection: Connection) -> dict[str, int]:
    rows = connection.execute(text("SELECT id, type, owner_id, currency FROM ledger_accounts"))
    ids = {f"{r.type}:{r.owner_id}:{r.currency}": r.id for r in rows}
    rows = connection.execute(text("SELECT id, idempotency_key FROM ledger_transactions"))
    ids.update({f"tx:{r.idempotency_key}": r.id for r in rows})
    ids["hold_posting"] = connection.execute(
        text("SELECT id FROM ledger_postings WHERE transaction_id = :t"),
        {"t": ids["tx:order:1:hold"]},
    ).scalar_one()
    return ids


def _tamper(url: str, damage: Callable[[Connection, dict[str, int]], None]) -> list[Violation]:
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            dialect = connection.dialect.name
            if dialect == "sqlite":
                connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
            else:
                connection.exec_driver_sql(
                    "ALTER TABLE ledger_accounts DROP CONSTRAINT ck_ledger_accounts_balance_allowed"
                )
                connection.exec_driver_sql(
                    "ALTER TABLE ledger_postings DROP CONSTRAINT ck_ledger_postings_amount_positive"
                )
            for statement in ledger_triggers.drop_statements(dialect):
                connection.exec_driver_sql(statement)
            connection.exec_driver_sql("DROP INDEX ix_ledger_transactions_idempotency_key")
            damage(connection, _ids(connection))
            connection.commit()
        with engine.connect() as connection:
            return audit(connection)
    finally:
        engine.dispose()


def _sql(connection: Connection, statement: str, **params: int) -> None:
    connection.execute(text(statement), params)


def _posting(connection: Connection, tx: int, debit: int, credit: int, amount: int) -> None:
    _sql(
        connection,
        "INSERT INTO ledger_postings (transaction_id, debit_account_id, credit_account_id, amount) "
        "VALUES (:tx, :debit, :credit, :amount)",
        tx=tx,
        debit=debit,
        credit=credit,
        amount=amount,
    )


def _transaction(connection: Connection, key: str) -> int:
    row = {"idempotency_key": key, "kind": "test", "fingerprint": "x", "created_at": NOW}
    statement = (
        insert(ledger_repo.transactions).values(row).returning(ledger_repo.transactions.c.id)
    )
    return int(connection.execute(statement).scalar_one())


def _add(connection: Connection, account: int, change: int) -> None:
    _sql(
        connection,
        "UPDATE ledger_accounts SET balance = balance + :c WHERE id = :a",
        c=change,
        a=account,
    )


FUNDS, ESCROW, TOPUP = f"user_funds:{ALICE}:XTR", "order_escrow:1:XTR", "telegram_topups:0:XTR"
FUNDS_EUR, TOPUP_EUR = f"user_funds:{ALICE}:EUR", "telegram_topups:0:EUR"


async def test_an_untouched_ledger_passes(database_url: str) -> None:
    await _seed(database_url)
    assert _tamper(database_url, lambda c, ids: None) == []


async def test_a_cached_balance_changed_by_hand_breaks_the_sum_and_the_recomputation(
    database_url: str,
) -> None:
    await _seed(database_url)
    ids: dict[str, int] = {}
    found = _tamper(database_url, lambda c, i: (ids.update(i), _add(c, i[FUNDS], 5)))
    assert found == [
        Violation(la.BALANCES_SUM, "cached balances in XTR sum to 5, not 0"),
        Violation(la.BALANCE_MISMATCH, f"account {ids[FUNDS]}: cached balance 65, postings say 60"),
    ]


async def test_an_edited_posting_no_longer_matches_the_cached_balances(database_url: str) -> None:
    await _seed(database_url)
    ids: dict[str, int] = {}

    def damage(c: Connection, i: dict[str, int]) -> None:
        ids.update(i)
        _sql(c, "UPDATE ledger_postings SET amount = 50 WHERE id = :p", p=i["hold_posting"])

    found = _tamper(database_url, damage)
    expected = {
        ids[FUNDS]: Violation(
            la.BALANCE_MISMATCH, f"account {ids[FUNDS]}: cached balance 60, postings say 50"
        ),
        ids[ESCROW]: Violation(
            la.BALANCE_MISMATCH, f"account {ids[ESCROW]}: cached balance 40, postings say 50"
        ),
    }
    assert found == [expected[account] for account in sorted(expected)]  # in account id order


async def test_a_zero_posting_is_reported(database_url: str) -> None:
    await _seed(database_url)
    ids: dict[str, int] = {}

    def damage(c: Connection, i: dict[str, int]) -> None:
        ids.update(i)
        _posting(c, i["tx:order:1:hold"], i[ESCROW], i[FUNDS], 0)

    found = _tamper(database_url, damage)
    assert len(found) == 1 and found[0].check == la.AMOUNT_NOT_POSITIVE
    assert found[0].detail.endswith(f"of transaction {ids['tx:order:1:hold']} moves 0")


async def test_a_transaction_without_postings_is_reported(database_url: str) -> None:
    await _seed(database_url)

    def damage(c: Connection, i: dict[str, int]) -> None:
        _transaction(c, "empty")

    found = _tamper(database_url, damage)
    assert len(found) == 1 and found[0].check == la.TRANSACTION_WITHOUT_POSTINGS
    assert found[0].detail.endswith("(empty) has no postings")


async def test_a_transaction_in_two_currencies_is_reported(database_url: str) -> None:
    await _seed(database_url)
    ids: dict[str, int] = {}

    def damage(c: Connection, i: dict[str, int]) -> None:
        ids.update(i)
        _posting(c, i["tx:order:1:hold"], i[FUNDS_EUR], i[TOPUP_EUR], 10)
        _add(c, i[FUNDS_EUR], -10)
        _add(c, i[TOPUP_EUR], 10)

    found = _tamper(database_url, damage)
    assert found == [
        Violation(la.MIXED_CURRENCIES, f"transaction {ids['tx:order:1:hold']} touches 2 currencies")
    ]


async def test_a_forbidden_negative_balance_is_reported(database_url: str) -> None:
    await _seed(database_url)
    ids: dict[str, int] = {}

    def damage(c: Connection, i: dict[str, int]) -> None:
        ids.update(i)
        _posting(c, i["tx:order:1:hold"], i[ESCROW], i[FUNDS], 50)
        _add(c, i[ESCROW], -50)
        _add(c, i[FUNDS], 50)

    found = _tamper(database_url, damage)
    assert found == [
        Violation(la.FORBIDDEN_NEGATIVE, f"account {ids[ESCROW]} (order_escrow, owner 1) is at -10")
    ]


async def test_a_reused_idempotency_key_is_reported(database_url: str) -> None:
    await _seed(database_url)

    def damage(c: Connection, i: dict[str, int]) -> None:
        tx = _transaction(c, "topup:c1")
        _posting(c, tx, i[TOPUP], i[FUNDS], 1)
        _add(c, i[TOPUP], -1)
        _add(c, i[FUNDS], 1)

    found = _tamper(database_url, damage)
    assert found == [
        Violation(la.DUPLICATE_KEY, "idempotency key 'topup:c1' is used by 2 transactions")
    ]


async def test_the_cli_reports_and_exits_non_zero_on_a_violation(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await _seed(sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["ledger", "audit"]) == 0
    out = capsys.readouterr().out
    assert "Ledger: 5 accounts, 3 transactions, 3 postings" in out and "✅" in out
    _tamper(sqlite_url, lambda c, i: _add(c, i[FUNDS], 5))
    assert main(["ledger", "audit"]) == 1
    out = capsys.readouterr().out
    assert "❌ balances_sum: cached balances in XTR sum to 5, not 0" in out
    assert "❌ balance_mismatch:" in out
