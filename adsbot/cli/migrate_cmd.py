"""`adsbot migrate` / `python scripts/migrate.py`: upgrade the database to the latest revision."""

from __future__ import annotations

from adsbot.settings import Settings
from adsbot.storage import migrate
from adsbot.storage.urls import masked


def run(settings: Settings) -> int:
    url = settings.database_url
    print(f"Database: {masked(url)}")
    if problem := migrate.unusable(url, need_head=False):
        print(f"❌ {problem}")
        return 2
    applied = migrate.upgrade(url)
    if applied:
        for revision in applied:
            print(f"✅ applied {revision}")
    else:
        print("✅ already at the latest revision")
    print(f"Revision: {migrate.head_revision()}")
    return 0
