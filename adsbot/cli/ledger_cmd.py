"""`adsbot ledger audit`: check the ledger's invariants; exit 1 on any violation."""

from __future__ import annotations

from adsbot.services.ledger_audit import format_report, run_audit
from adsbot.settings import explain, load_settings
from adsbot.storage.engine import create_sync_engine
from adsbot.storage.urls import masked


def audit(_args: object) -> int:
    try:
        url = load_settings().database_url
    except ValueError as exc:
        print(f"❌ {explain(exc)}")
        return 1
    print(f"Database: {masked(url)}")
    engine = create_sync_engine(url)
    try:
        report = run_audit(engine)
    finally:
        engine.dispose()
    print(format_report(report))
    return 0 if report.ok else 1
