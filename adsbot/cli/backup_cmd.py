"""`adsbot backup`: a consistent copy of the database in BACKUP_DIR, safe while the bot runs."""

from __future__ import annotations

from datetime import UTC, datetime

from adsbot.settings import Settings
from adsbot.storage.backup import BackupError, backup


def run(settings: Settings) -> int:
    try:
        path = backup(settings.database_url, settings.BACKUP_DIR, datetime.now(UTC))
    except BackupError as exc:
        print(f"❌ backup failed: {exc}")
        return 1
    print(f"✅ backup written: {path} ({path.stat().st_size:,} bytes)")
    return 0
