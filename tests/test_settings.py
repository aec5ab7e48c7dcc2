from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from adsbot.cli.config_cmd import report
from adsbot.settings import Settings, explain, isolated_settings, load_settings
from adsbot.settings_doc import DESCRIPTIONS, env_example, markdown_table

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_follow_the_design() -> None:
    s = isolated_settings()
    assert s.DATABASE_URL.get_secret_value() == "sqlite:///adsbot.db"
    assert s.CURRENCY == "XTR"
    assert s.PLATFORM_FEE_PERCENT == 10
    assert (s.DECISION_TIMEOUT_MINUTES, s.DISPUTE_WINDOW_HOURS, s.AD_MIN_GAP_MINUTES) == (
        30,
        24,
        60,
    )
    assert (s.AD_LABEL, s.AD_LABEL_EN) == ("#pubblicità", "#ad")
    assert s.FLOOD_LIMIT == "20/10s" and s.flood_rate == (20, 10)
    assert (s.HOST, s.PORT, s.SANDBOX_PORT, s.EMULATOR_PORT) == ("0.0.0.0", 8000, 8080, 8081)
    assert s.webhook_mode is False
    assert s.ADMIN_IDS == []


def test_admin_ids_parse_from_a_comma_separated_list() -> None:
    assert isolated_settings(ADMIN_IDS="1, 2,3").ADMIN_IDS == [1, 2, 3]
    assert isolated_settings(EVIDENCE_CHAT_ID="-1001234567890").EVIDENCE_CHAT_ID == [-1001234567890]


def test_empty_values_count_as_unset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORT", "")
    monkeypatch.setenv("TELEGRAM_TOKEN", "")
    s = load_settings(tmp_path / "missing.env")
    assert s.PORT == 8000
    assert s.TELEGRAM_TOKEN is None


def test_the_env_file_named_by_adsbot_env_file_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "staging.env"
    env_file.write_text("ADMIN_IDS=7,8\nPLATFORM_FEE_PERCENT=15\n")
    monkeypatch.setenv("ADSBOT_ENV_FILE", str(env_file))
    s = load_settings()
    assert s.ADMIN_IDS == [7, 8]
    assert s.PLATFORM_FEE_PERCENT == 15


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"CURRENCY": "EUR"}, "PAYMENT_PROVIDER_TOKEN"),
        ({"WEBHOOK_URL": "https://x.example/webhook/telegram"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_SECRET": "bad secret!"}, "WEBHOOK_SECRET"),
        ({"PLATFORM_FEE_PERCENT": "101"}, "PLATFORM_FEE_PERCENT"),
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"FLOOD_LIMIT": "fast"}, "FLOOD_LIMIT"),
    ],
)
def test_a_bad_configuration_is_explained_in_one_line(values: dict[str, str], named: str) -> None:
    with pytest.raises(ValidationError) as caught:
        isolated_settings(**values)
    line = explain(caught.value)
    assert named in line
    assert "\n" not in line


def test_currency_bounds_default_per_currency() -> None:
    xtr = isolated_settings()
    eur = isolated_settings(CURRENCY="EUR", PAYMENT_PROVIDER_TOKEN="284685063:TEST:abc")
    assert xtr.topup_min == 50 and eur.topup_min == 500
    assert isolated_settings(TOPUP_MIN="70").topup_min == 70


def test_config_check_never_prints_a_secret_and_fails_without_a_token() -> None:
    s = isolated_settings(
        OPENAI_API_KEY="sk-test-very-secret-value",
        DATABASE_URL="postgresql://u:hunter22@db/adsbot",
    )
    lines, ok = report(s)
    text = "\n".join(lines)
    assert not ok
    assert "sk-test-very-secret-value" not in text and "hunter22" not in text
    assert "❌ TELEGRAM_TOKEN" in text and "✅ OPENAI_API_KEY = set" in text
    assert len(lines) >= len(Settings.model_fields)


def test_config_check_passes_with_what_polling_mode_needs() -> None:
    _, ok = report(isolated_settings(TELEGRAM_TOKEN="1:abc"))
    assert ok


def test_config_check_warns_about_a_port_telegram_does_not_call() -> None:
    s = isolated_settings(
        TELEGRAM_TOKEN="1:abc", WEBHOOK_URL="https://h.example:9000/w", WEBHOOK_SECRET="s"
    )
    lines, ok = report(s)
    assert ok
    assert any("port 9000" in line for line in lines)


def test_every_setting_is_documented_in_readme_and_env_example() -> None:
    assert set(DESCRIPTIONS) == set(Settings.model_fields)
    assert markdown_table() in (ROOT / "README.md").read_text(encoding="utf-8")
    assert (ROOT / ".env.example").read_text(encoding="utf-8") == env_example()


def test_env_example_loads_as_a_valid_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_settings(ROOT / ".env.example")
    assert s.TELEGRAM_TOKEN is None and s.CURRENCY == "XTR"


def test_config_check_marks_what_falls_back_or_does_not_apply() -> None:
    """A default or derived value is a value (✅ with what it is); a setting the chosen mode
    does not use is ➖, not ❌."""
    s = isolated_settings(
        TELEGRAM_TOKEN="1:abc", WEBHOOK_URL="https://bot.example/hook", WEBHOOK_SECRET="s"
    )
    by_name = {line.split(" ", 2)[1]: line for line in report(s)[0] if " = " in line}
    assert by_name["DATABASE_URL"].startswith("✅ DATABASE_URL = sqlite:///adsbot.db")
    assert by_name["PUBLIC_BASE_URL"].startswith(
        "✅ PUBLIC_BASE_URL = https://bot.example (origin of WEBHOOK_URL)"
    )
    assert by_name["PAYMENT_PROVIDER_TOKEN"].startswith("➖ PAYMENT_PROVIDER_TOKEN = not set")
    assert (
        by_name["ADMIN_IDS"].startswith("❌ ADMIN_IDS")
        and "nobody has admin" in by_name["ADMIN_IDS"]
    )


def test_a_missing_file_named_by_adsbot_env_file_stops_start_up_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADSBOT_ENV_FILE", ".env.staging")  # docs/STAGING.md's relative form
    with pytest.raises(ValueError, match=r"ADSBOT_ENV_FILE=\.env\.staging does not exist"):
        load_settings()
    (tmp_path / ".env.staging").write_text("PLATFORM_FEE_PERCENT=12\n")
    assert load_settings().PLATFORM_FEE_PERCENT == 12
