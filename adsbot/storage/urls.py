"""One DATABASE_URL, turned into the async and sync driver URLs, and masked for logs."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url


def _normalise(url: str | URL) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    raise ValueError(f"unsupported database backend: {backend}")


def sync_url(url: str | URL) -> URL:
    """The URL for synchronous engines (Alembic, CLI, the staging plan's one-liners)."""
    return _normalise(url)


def async_url(url: str | URL) -> URL:
    """The URL for the application's async engine: aiosqlite on SQLite, psycopg 3 on PostgreSQL."""
    parsed = _normalise(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    return parsed


def masked(url: str | URL) -> str:
    """The URL as it may be printed: the password replaced by ***."""
    return make_url(url).render_as_string(hide_password=True)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> str | None:
    """The file path of a SQLite URL (None for in-memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database
