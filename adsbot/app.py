"""`python main.py`: check the configuration and the database, then run the bot."""

from __future__ import annotations

import sys

from adsbot.settings import Settings, explain, load_settings
from adsbot.storage import migrate

EXIT_CONFIG = 2


def _fail(line: str) -> int:
    print(line, file=sys.stderr)
    return EXIT_CONFIG


def preflight(settings: Settings) -> str | None:
    """Why the bot cannot start, in one line, or None."""
    if settings.TELEGRAM_TOKEN is None:
        return (
            "TELEGRAM_TOKEN is not set: set it (see .env.example) to run against Telegram, "
            "or try the whole product offline with `make demo`"
        )
    return migrate.unusable(settings.database_url)


def main() -> int:
    try:
        settings = load_settings()
    except ValueError as exc:
        return _fail(explain(exc))
    problem = preflight(settings)
    if problem is not None:
        return _fail(problem)
    from adsbot.runtime import run_forever

    return run_forever(settings)
