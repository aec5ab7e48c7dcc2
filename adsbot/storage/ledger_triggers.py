"""Triggers that make ledger transactions and postings insert-only (DESIGN section 4).

Alembic autogenerate does not see triggers, and SQLite batch migrations recreate tables without
them: any migration that batch-alters `ledger_transactions` or `ledger_postings` must call
`create_statements` again afterwards (a test at head checks that the triggers still refuse edits).
"""

from __future__ import annotations

INSERT_ONLY_TABLES = ("ledger_transactions", "ledger_postings")
_PG_FUNCTION = "ledger_refuse_change"


def create_statements(dialect: str) -> list[str]:
    """SQL that installs the insert-only triggers on `dialect` ("sqlite" or "postgresql")."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action} BEFORE {action.upper()} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is insert-only'); END"
            for table in INSERT_ONLY_TABLES
            for action in ("update", "delete")
        ]
    if dialect == "postgresql":
        statements = [
            f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is insert-only', TG_TABLE_NAME "
            "USING ERRCODE = 'restrict_violation'; END $$"
        ]
        for table in INSERT_ONLY_TABLES:
            statements += [
                f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()",
            ]
        return statements
    raise ValueError(f"unsupported dialect: {dialect}")


def drop_statements(dialect: str) -> list[str]:
    """SQL that removes the triggers again (downgrades, and the audit's tamper test)."""
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_{action}"
            for table in INSERT_ONLY_TABLES
            for action in ("update", "delete")
        ]
    if dialect == "postgresql":
        statements = [
            f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}"
            for table in INSERT_ONLY_TABLES
            for name in ("insert_only", "no_truncate")
        ]
        return [*statements, f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()"]
    raise ValueError(f"unsupported dialect: {dialect}")
