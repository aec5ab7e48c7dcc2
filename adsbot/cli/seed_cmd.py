"""`adsbot seed`: insert the sandbox personas as demo users (idempotent)."""

from __future__ import annotations

from adsbot.services.seed import seed_url
from adsbot.settings import explain, load_settings
from adsbot.storage.urls import masked


def run(_args: object) -> int:
    try:
        url = load_settings().database_url
    except ValueError as exc:
        print(f"❌ {explain(exc)}")
        return 1
    created = seed_url(url)
    print(f"Database: {masked(url)}: {created} demo users added")
    return 0
