"""`adsbot migrate` / `python scripts/migrate.py`: upgrade the database to the latest revision."""

from __future__ import annotations

from adsbot.settings import explain, load_settings
from adsbot.storage import migrate
from adsbot.storage.urls import masked


def run(_args: object) -> int:
    try:
        url = load_settings().database_url
    except ValueError as exc:
        print(f"❌ {explain(exc)}")
        return 1
    print(f"Database: {masked(url)}")
    applied = migrate.upgrade(url)
    if applied:
        for revision in applied:
            print(f"✅ applied {revision}")
    else:
        print("✅ already at the latest revision")
    print(f"Revision: {migrate.head_revision()}")
    return 0
