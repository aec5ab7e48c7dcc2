"""Test safety (DESIGN section 6): the only code in the suite that reads the real environment.

- Settings for tests are built from explicit values only (`isolated_settings`), never from the
  process environment or `.env`.
- `assert_test_database` refuses any database that is not a temporary SQLite file or a database
  this run created on the `ADSBOT_TEST_POSTGRES_URL` server.
- `child_env` builds the environment of every child process from scratch.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

CI_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
# Databases this run created (and so may use and drop).
_created_databases: set[str] = set()
RUN_PREFIX = f"adsbot_test_{os.getpid()}_{secrets.token_hex(3)}"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def postgres_server_url() -> str | None:
    """The PostgreSQL server the tests may use, or None (those tests then skip and say so)."""
    explicit = os.environ.get("ADSBOT_TEST_POSTGRES_URL", "").strip()
    if explicit:
        return explicit
    return CI_POSTGRES_URL if in_ci() else None


def _admin_url(server_url: str) -> URL:
    return make_url(server_url).set(drivername="postgresql+psycopg")


def create_postgres_database(server_url: str, suffix: str, template: str | None = None) -> str:
    """Create `<run prefix>_<suffix>` on the server; return its URL."""
    name = f"{RUN_PREFIX}_{suffix}"
    engine = create_engine(_admin_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            clause = f" TEMPLATE {template}" if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    finally:
        engine.dispose()
    _created_databases.add(name)
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_created_databases(server_url: str) -> None:
    engine = create_engine(_admin_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for name in sorted(_created_databases):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
    _created_databases.clear()


_temp_root: Path | None = None


def set_temp_root(path: Path) -> None:
    """The pytest run's base temporary directory: the only place test SQLite files may live."""
    global _temp_root
    _temp_root = path.resolve()


def assert_test_database(url: str) -> None:
    """Refuse anything but a temporary SQLite file or a database this run created."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            return
        path = Path(database).resolve()
        # Only files under this run's pytest temporary directory: "somewhere under /tmp" is not
        # enough, since a checkout (CI's, say) may itself live there with an adsbot.db in it.
        if _temp_root is None or _temp_root not in path.parents:
            raise RuntimeError(f"refusing a SQLite database outside this test run's tmp: {path}")
        return
    if backend == "postgresql":
        server = postgres_server_url()
        if server is None or parsed.database not in _created_databases:
            raise RuntimeError(
                f"refusing PostgreSQL database {parsed.database!r}: tests only use databases "
                "they created on ADSBOT_TEST_POSTGRES_URL"
            )
        return
    raise RuntimeError(f"refusing unknown database backend in tests: {backend}")


# Variables a child process may inherit: enough to run Python, nothing that configures adsbot.
_INHERITABLE = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SYSTEMROOT")


def child_env(**values: str) -> dict[str, str]:
    """The environment for a process a test starts: built from scratch, never inherited.

    Nothing `TELEGRAM_*`, `OPENAI_*` or `DATABASE_*` leaks in from the real environment, and
    `ADSBOT_ENV_FILE` points at the empty file os.devnull, so no `.env` is read either.
    """
    env = {key: os.environ[key] for key in _INHERITABLE if key in os.environ}
    env["ADSBOT_ENV_FILE"] = os.devnull
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("PORT", "0")
    env.setdefault("SANDBOX_PORT", "0")
    env.setdefault("EMULATOR_PORT", "0")
    env.update(values)
    if "DATABASE_URL" in env:
        assert_test_database(env["DATABASE_URL"])
    else:
        raise RuntimeError("child processes of tests must be given a test DATABASE_URL")
    return env


PYTHON = sys.executable


def free_port() -> int:
    """A port free right now on 127.0.0.1 (for a server whose URL must be known in advance)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
