"""`adsbot ledger audit`: the ledger's invariants (DESIGN section 4), checked from the rows.

The checks read the database as it is, assuming nothing the service guarantees: the point is to
notice when something (a bug, a hand edit, a restore) broke what the service promises.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from adsbot.domain.ledger import NEGATIVE_ALLOWED

# One name per check, so tests and operators can tell the failures apart.
BALANCES_SUM = "balances_sum"
BALANCE_MISMATCH = "balance_mismatch"
AMOUNT_NOT_POSITIVE = "amount_not_positive"
TRANSACTION_WITHOUT_POSTINGS = "transaction_without_postings"
MIXED_CURRENCIES = "mixed_currencies"
FORBIDDEN_NEGATIVE = "forbidden_negative"
DUPLICATE_KEY = "duplicate_key"


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    check: str
    detail: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    accounts: int
    transactions: int
    postings: int
    violations: list[Violation]

    @property
    def ok(self) -> bool:
        return not self.violations


_ALLOWED = ", ".join(f"'{t}'" for t in sorted(NEGATIVE_ALLOWED))

# Each query returns rows whose first column names the culprit and the rest describe it.
_CHECKS: list[tuple[str, str, str]] = [
    (
        BALANCES_SUM,
        "SELECT currency, SUM(balance) FROM ledger_accounts GROUP BY currency "
        "HAVING SUM(balance) <> 0 ORDER BY currency",
        "cached balances in {0} sum to {1}, not 0",
    ),
    (
        BALANCE_MISMATCH,
        "SELECT id, balance, computed FROM (SELECT a.id, a.balance, "
        "COALESCE((SELECT SUM(amount) FROM ledger_postings WHERE credit_account_id = a.id), 0) - "
        "COALESCE((SELECT SUM(amount) FROM ledger_postings WHERE debit_account_id = a.id), 0) "
        "AS computed FROM ledger_accounts a) recomputed WHERE balance <> computed ORDER BY id",
        "account {0}: cached balance {1}, postings say {2}",
    ),
    (
        AMOUNT_NOT_POSITIVE,
        "SELECT id, transaction_id, amount FROM ledger_postings WHERE amount <= 0 ORDER BY id",
        "posting {0} of transaction {1} moves {2}",
    ),
    (
        TRANSACTION_WITHOUT_POSTINGS,
        "SELECT t.id, t.idempotency_key FROM ledger_transactions t WHERE NOT EXISTS "
        "(SELECT 1 FROM ledger_postings p WHERE p.transaction_id = t.id) ORDER BY t.id",
        "transaction {0} ({1}) has no postings",
    ),
    (
        MIXED_CURRENCIES,
        "SELECT p.transaction_id, COUNT(DISTINCT a.currency) FROM ledger_postings p "
        "JOIN ledger_accounts a ON a.id IN (p.debit_account_id, p.credit_account_id) "
        "GROUP BY p.transaction_id HAVING COUNT(DISTINCT a.currency) > 1 ORDER BY 1",
        "transaction {0} touches {1} currencies",
    ),
    (
        FORBIDDEN_NEGATIVE,
        "SELECT id, type, owner_id, balance FROM ledger_accounts "  # noqa: S608 - our enum values
        f"WHERE balance < 0 AND type NOT IN ({_ALLOWED}) ORDER BY id",
        "account {0} ({1}, owner {2}) is at {3}",
    ),
    (
        DUPLICATE_KEY,
        "SELECT idempotency_key, COUNT(*) FROM ledger_transactions GROUP BY idempotency_key "
        "HAVING COUNT(*) > 1 ORDER BY idempotency_key",
        "idempotency key {0!r} is used by {1} transactions",
    ),
]


def audit(connection: Connection) -> list[Violation]:
    """Every violation of the ledger's invariants, in check order (empty: the ledger is sound)."""
    violations: list[Violation] = []
    for check, sql, template in _CHECKS:
        for row in connection.execute(text(sql)):
            violations.append(Violation(check, template.format(*row)))
    return violations


def run_audit(engine: Engine) -> AuditReport:
    """The audit with the ledger's size, in one read transaction."""
    with engine.connect() as connection:
        counts = [
            connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()  # noqa: S608
            for table in ("ledger_accounts", "ledger_transactions", "ledger_postings")
        ]
        violations = audit(connection)
        connection.rollback()
    return AuditReport(counts[0], counts[1], counts[2], violations)


def format_report(report: AuditReport) -> str:
    """A few lines for people: the size, then ✅ or one ❌ line per violation."""
    lines = [
        f"Ledger: {report.accounts} accounts, {report.transactions} transactions, "
        f"{report.postings} postings"
    ]
    if report.ok:
        lines.append("✅ all checks passed")
    else:
        lines.append(f"❌ {len(report.violations)} violation(s)")
        lines += [f"❌ {v.check}: {v.detail}" for v in report.violations]
    return "\n".join(lines)
