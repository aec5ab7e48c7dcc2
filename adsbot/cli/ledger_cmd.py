"""`adsbot ledger audit`: check the ledger's invariants; exit 1 on any violation, 2 when the
database cannot be audited (cannot be opened, or not migrated)."""

from __future__ import annotations

from adsbot.services.ledger_audit import format_report, run_audit
from adsbot.settings import Settings
from adsbot.storage import migrate
from adsbot.storage.engine import create_sync_engine
from adsbot.storage.urls import masked


def audit(settings: Settings) -> int:
    url = settings.database_url
    print(f"Database: {masked(url)}")
    if problem := migrate.unusable(url):
        print(f"❌ {problem}")
        return 2
    engine = create_sync_engine(url)
    try:
        report = run_audit(engine)
    finally:
        engine.dispose()
    print(format_report(report))
    return 0 if report.ok else 1
