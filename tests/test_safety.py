"""Running the tests on a configured staging machine can never touch its data or services."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import harness


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///adsbot.db",
        "sqlite:////opt/adsbot/adsbot.db",
        "sqlite:////tmp/a-checkout-under-tmp/adsbot.db",  # /tmp is not "temporary" enough
        "postgresql://postgres@127.0.0.1:5432/test",
        "postgresql://adsbot:pw@db.internal/adsbot",
        "mysql://root@127.0.0.1/test",
    ],
)
def test_the_guard_refuses_real_databases(url: str) -> None:
    with pytest.raises(RuntimeError, match="refusing"):
        harness.assert_test_database(url)


def test_the_guard_accepts_a_temporary_sqlite_file(tmp_path: Path) -> None:
    harness.assert_test_database(f"sqlite:///{tmp_path / 'x.db'}")


def test_the_guard_accepts_only_databases_this_run_created(postgres_url: str) -> None:
    harness.assert_test_database(postgres_url)
    server = harness.postgres_server_url()
    assert server is not None
    assert harness.RUN_PREFIX in postgres_url


def test_child_processes_inherit_no_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", "123456:REAL-STAGING-TOKEN")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////opt/adsbot/adsbot.db")
    monkeypatch.setenv("WEBHOOK_SECRET", "real")
    env = harness.child_env(DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}")
    assert not any(key.startswith(("TELEGRAM_", "OPENAI_", "WEBHOOK_")) for key in env)
    assert env["DATABASE_URL"].endswith("c.db")
    assert env["ADSBOT_ENV_FILE"] == os.devnull  # reads nothing
    assert env["PORT"] == "0"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from adsbot.config import settings; print(settings.TELEGRAM_TOKEN)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "None"


def test_child_env_refuses_a_real_database() -> None:
    with pytest.raises(RuntimeError, match="refusing"):
        harness.child_env(DATABASE_URL="sqlite:///adsbot.db")
    with pytest.raises(RuntimeError):
        harness.child_env()


def test_a_dotenv_in_the_working_directory_is_not_read_by_test_settings(
    make_settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_TOKEN=123:from-dotenv\n")
    monkeypatch.chdir(tmp_path)
    settings = make_settings()  # type: ignore[operator]
    assert settings.TELEGRAM_TOKEN is None
