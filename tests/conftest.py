"""Fixtures shared by the suite. Every database here passes `assert_test_database`."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from adsbot.settings import Settings, isolated_settings
from adsbot.storage import migrate
from adsbot.storage.database import Database
from tests import harness

hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if harness.in_ci() else "dev")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--save-screenshot",
        metavar="PATH",
        help="copy the sandbox browser test's screenshot to PATH (e.g. docs/img/sandbox.png)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    server = harness.postgres_server_url()
    if server is None:
        return "PostgreSQL: not configured (set ADSBOT_TEST_POSTGRES_URL); PostgreSQL tests skip"
    source = harness.CI_POSTGRES_URL if harness.in_ci() else "ADSBOT_TEST_POSTGRES_URL"
    return f"PostgreSQL: tests use {source}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    server = harness.postgres_server_url()
    if server is not None:
        harness.drop_created_databases(server)


# --- SQLite -----------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _test_temp_root(tmp_path_factory: pytest.TempPathFactory) -> None:
    harness.set_temp_root(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "head.db"
    url = f"sqlite:///{path}"
    harness.assert_test_database(url)
    migrate.upgrade(url)
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    target = tmp_path / "adsbot-test.db"
    shutil.copyfile(_sqlite_template, target)
    url = f"sqlite:///{target}"
    harness.assert_test_database(url)
    return url


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _postgres_template() -> str:
    server = harness.postgres_server_url()
    if server is None:
        pytest.skip("PostgreSQL not configured: set ADSBOT_TEST_POSTGRES_URL to run this test")
    try:
        url = harness.create_postgres_database(server, "template")
    except Exception as exc:
        if harness.in_ci():
            pytest.fail(f"CI=true but PostgreSQL is not reachable at {server}: {exc}")
        pytest.skip(f"PostgreSQL at ADSBOT_TEST_POSTGRES_URL not reachable: {exc}")
    migrate.upgrade(url)
    return url.rsplit("/", 1)[1]


_pg_counter = 0


@pytest.fixture
def postgres_url(_postgres_template: str) -> str:
    global _pg_counter
    _pg_counter += 1
    server = harness.postgres_server_url()
    assert server is not None
    url = harness.create_postgres_database(server, f"t{_pg_counter}", template=_postgres_template)
    harness.assert_test_database(url)
    return url


# --- Either backend ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database at head, on SQLite and (when configured) on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def make_settings(tmp_path: Path) -> Any:
    """Build test settings: explicit values only, a temporary LOG_DIR, a guarded database."""

    def build(**values: Any) -> Settings:
        values.setdefault("LOG_DIR", str(tmp_path / "logs"))
        values.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
        harness.assert_test_database(str(values["DATABASE_URL"]))
        return isolated_settings(**values)

    return build


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.from_url(database_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def sqlite_database(sqlite_url: str) -> AsyncIterator[Database]:
    db = Database.from_url(sqlite_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture(autouse=True)
def _no_real_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Even code that wrongly calls load_settings() in a test sees no real configuration."""
    monkeypatch.setenv("ADSBOT_ENV_FILE", os.devnull)  # an env file that holds nothing
    # PTB 22 warns (an error under filterwarnings=error) when it builds RetryAfter with an int.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "OPENAI_", "DATABASE_", "WEBHOOK_")):
            monkeypatch.delenv(key)
    yield


# --- Ledger -----------------------------------------------------------------------------------


@pytest.fixture
def assert_ledger_balanced() -> Any:
    """`assert_ledger_balanced(url)`: fail with every violation the ledger audit finds there.

    Call it at the end of any test that moves money (tests/ledger does so after every test).
    """
    from adsbot.services.ledger_audit import audit
    from adsbot.storage.engine import create_sync_engine

    def check(url: str) -> None:
        harness.assert_test_database(url)
        engine = create_sync_engine(url)
        try:
            with engine.connect() as connection:
                violations = audit(connection)
        finally:
            engine.dispose()
        assert violations == [], "ledger audit failed:\n" + "\n".join(map(str, violations))

    return check


# --- The bot against the emulator ------------------------------------------------------------

from adsbot.sandbox.emulator.testing import (  # noqa: E402
    TEST_TOKEN,
    emulator,
    emulator_bot,
    fake_clock,
)

__all__ = ["emulator", "emulator_bot", "fake_clock"]

WEBHOOK_SECRET = "test-webhook-secret_123"


@pytest.fixture
def bot_settings(make_settings: Any, emulator: Any, sqlite_url: str) -> Any:
    """Settings for a bot in webhook mode against the in-process emulator."""
    port = harness.free_port()
    return make_settings(
        TELEGRAM_TOKEN=TEST_TOKEN,
        TELEGRAM_API_BASE_URL=emulator.base_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/webhook/telegram",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        HOST="127.0.0.1",
        PORT=port,
        DATABASE_URL=sqlite_url,
        READY_GRACE_S=0,
    )


@pytest.fixture
async def running_bot(bot_settings: Settings, fake_clock: Any) -> AsyncIterator[Any]:
    """The real bot (Runtime) in this event loop, webhook mode, talking to the emulator."""
    from adsbot.runtime import Runtime

    runtime = Runtime(bot_settings, clock=fake_clock)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


@pytest.fixture
def running_bot_handlers(make_settings: Any, sqlite_url: str) -> list[Any]:
    """Every handler the composition root registers (built, never started)."""
    from adsbot.composition import build

    components = build(make_settings(TELEGRAM_TOKEN=TEST_TOKEN, DATABASE_URL=sqlite_url))
    return [h for group in components.application.handlers.values() for h in group]
