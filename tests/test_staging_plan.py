"""The staging plan's Python one-liners, run as the plan runs them: `python -c` in a shell."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import harness

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return _python(["-c", code], env, cwd)


def _python(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _main_refusal(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run `python main.py` expecting a refusal: its exit code and its one stderr line."""
    result = _python([str(ROOT / "main.py")], env, cwd)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return result.returncode, lines[0]


@pytest.fixture
def plan_env(tmp_path: Path) -> dict[str, str]:
    return harness.child_env(DATABASE_URL=f"sqlite:///{tmp_path / 'staging.db'}")


def test_step_2_4_import_star_from_the_bot_package(
    plan_env: dict[str, str], tmp_path: Path
) -> None:
    result = _run(
        "from adsbot.bot import *; print('✅ All imports successful')", plan_env, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "All imports successful" in result.stdout


def test_steps_3_1_and_3_3_3_show_the_engine(plan_env: dict[str, str], tmp_path: Path) -> None:
    result = _run(
        "from adsbot.db import engine; print(f'DB: {engine.url}'); print(f'DB Pool: {engine.pool}')",
        plan_env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"DB: sqlite:///{tmp_path / 'staging.db'}" in result.stdout
    assert "DB Pool: <sqlalchemy.pool" in result.stdout


def test_migrate_then_count_users_with_the_corrected_one_liner(
    plan_env: dict[str, str], tmp_path: Path
) -> None:
    migrated = _python([str(ROOT / "scripts" / "migrate.py")], plan_env, tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "Database: sqlite:///" in migrated.stdout and "applied 0001_initial" in migrated.stdout
    result = _run(
        "from adsbot.db import get_session, User\n"
        "from sqlalchemy.orm import Session\n"
        "s = get_session(); assert isinstance(s, Session)\n"
        "print(f'✅ {len(s.query(User).all())} users'); print(f'✅ Database OK: {s.query(User).count()} users')",
        plan_env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "✅ 0 users" in result.stdout and "Database OK: 0 users" in result.stdout


def test_the_plans_own_line_without_importing_user_fails_clearly(
    plan_env: dict[str, str], tmp_path: Path
) -> None:
    """We never inject names into builtins: the plan's line needs the corrected import."""
    result = _run(
        "from adsbot.db import get_session; s = get_session(); print(len(s.query(User).all()))",
        plan_env,
        tmp_path,
    )
    assert result.returncode != 0
    assert "NameError" in result.stderr


def test_step_4_4_import_star_from_config_validates(
    plan_env: dict[str, str], tmp_path: Path
) -> None:
    ok = _run(
        "from adsbot.config import *; print('✅ Config loaded', type(settings).__name__)",
        plan_env,
        tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    assert "✅ Config loaded Settings" in ok.stdout
    bad = _run("from adsbot.config import *", {**plan_env, "PLATFORM_FEE_PERCENT": "300"}, tmp_path)
    assert bad.returncode != 0
    assert "PLATFORM_FEE_PERCENT" in bad.stderr


def test_main_without_a_token_exits_2_pointing_to_make_demo(
    plan_env: dict[str, str], tmp_path: Path
) -> None:
    code, line = _main_refusal(plan_env, tmp_path)
    assert code == 2
    assert "TELEGRAM_TOKEN" in line and "make demo" in line


def test_main_refuses_a_database_behind_the_latest_migration(
    plan_env: dict[str, str], tmp_path: Path
) -> None:
    code, line = _main_refusal({**plan_env, "TELEGRAM_TOKEN": "123:abc"}, tmp_path)
    assert code == 2
    assert "python scripts/migrate.py" in line


def test_main_names_a_database_it_cannot_open_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-dir' / 'adsbot.db'}"
    env = harness.child_env(DATABASE_URL=url, TELEGRAM_TOKEN="123:abc")
    code, line = _main_refusal(env, tmp_path)
    assert code == 2
    assert "cannot be opened: unable to open database file" in line


@pytest.mark.parametrize("command", [["ledger", "audit"], ["seed"]])
def test_operator_commands_on_an_unmigrated_database_say_so_in_one_line(
    plan_env: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    result = _python(["-m", "adsbot.cli.main", *command], plan_env, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == ""
    assert "run `python scripts/migrate.py` first" in result.stdout.splitlines()[-1]
