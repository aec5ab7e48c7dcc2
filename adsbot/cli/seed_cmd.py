"""`adsbot seed`: insert the sandbox personas as demo users (idempotent)."""

from __future__ import annotations

from adsbot.services.seed import seed_url
from adsbot.settings import Settings
from adsbot.storage import migrate
from adsbot.storage.urls import masked


def run(settings: Settings) -> int:
    url = settings.database_url
    if problem := migrate.unusable(url):
        print(f"❌ {problem}")
        return 2
    created = seed_url(url)
    print(f"Database: {masked(url)}: {created} demo users added")
    return 0
