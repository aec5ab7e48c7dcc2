"""The one typed settings object (DESIGN section 5). Built on demand, never at import time."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FLOOD = re.compile(r"^(\d+)/(\d+)s$")

Currency = Literal["XTR", "EUR"]

# Per-currency bounds, in minor units, used when the operator sets none.
_CURRENCY_DEFAULTS: dict[str, dict[str, int]] = {
    "XTR": {"topup_min": 50, "topup_max": 100_000, "price_min": 50, "price_max": 1_000_000},
    "EUR": {"topup_min": 500, "topup_max": 500_000, "price_min": 500, "price_max": 5_000_000},
}


def _comma_ints(value: Any) -> Any:
    if isinstance(value, str):
        return [int(part) for part in value.replace(" ", "").split(",") if part]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    """Every environment variable adsbot reads, with its default."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=True,
        frozen=True,
    )

    TELEGRAM_TOKEN: SecretStr | None = None
    TELEGRAM_API_BASE_URL: str = "https://api.telegram.org"
    WEBHOOK_URL: str | None = None
    WEBHOOK_SECRET: SecretStr | None = None
    HOST: str = "0.0.0.0"  # noqa: S104 - the web server listens behind a reverse proxy
    PORT: int = Field(default=8000, ge=0, le=65535)
    PUBLIC_BASE_URL: str | None = None
    DATABASE_URL: SecretStr = SecretStr("sqlite:///adsbot.db")
    ADMIN_IDS: Annotated[list[int], NoDecode] = Field(default_factory=list)
    CURRENCY: Currency = "XTR"
    PAYMENT_PROVIDER_TOKEN: SecretStr | None = None
    PLATFORM_FEE_PERCENT: int = Field(default=10, ge=0, le=100)
    MIN_WITHDRAWAL: int = Field(default=1000, gt=0)
    XTR_PAYOUT_RATE: int | None = Field(default=None, gt=0)
    TOPUP_MIN: int | None = Field(default=None, gt=0)
    TOPUP_MAX: int | None = Field(default=None, gt=0)
    PRICE_MIN: int | None = Field(default=None, gt=0)
    PRICE_MAX: int | None = Field(default=None, gt=0)
    DECISION_TIMEOUT_MINUTES: int = Field(default=30, gt=0)
    DISPUTE_WINDOW_HOURS: int = Field(default=24, ge=0)
    AD_MIN_GAP_MINUTES: int = Field(default=60, ge=0)
    METRICS_INTERVAL_HOURS: int = Field(default=6, gt=0)
    EVIDENCE_CHAT_ID: Annotated[list[int], NoDecode] = Field(default_factory=list)
    AD_LABEL: str = "#pubblicità"
    AD_LABEL_EN: str = "#ad"
    PAYOUT_DETAILS_KEY: SecretStr | None = None
    SHOW_DEMO_DATA: bool = False
    DEFAULT_LANGUAGE: Literal["it", "en"] = "it"
    DEFAULT_TIMEZONE: str = "Europe/Rome"
    OPENAI_API_KEY: SecretStr | None = None
    OPENAI_MODEL: str = "gpt-5-mini"
    OPENAI_BASE_URL: str | None = None
    AI_TIMEOUT_SECONDS: float = Field(default=20, gt=0)
    AI_TOTAL_DEADLINE_SECONDS: float = Field(default=30, gt=0)
    AI_HOURLY_QUOTA: int = Field(default=10, ge=0)
    AI_CONCURRENCY: int = Field(default=4, gt=0)
    FLOOD_LIMIT: str = "20/10s"
    INBOX_CONCURRENCY: int = Field(default=8, gt=0)
    READY_MAX_INBOX_LAG_S: float = Field(default=30, gt=0)
    READY_MAX_OUTBOX_LAG_S: float = Field(default=120, gt=0)
    READY_GRACE_S: float = Field(default=60, ge=0)
    LOG_DIR: Path = Path("logs")
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    LOG_RETENTION_DAYS: int = Field(default=30, gt=0)
    BACKUP_DIR: Path = Path("backups")
    SANDBOX_PORT: int = Field(default=8080, ge=0, le=65535)
    EMULATOR_PORT: int = Field(default=8081, ge=0, le=65535)

    _split_ids = field_validator("ADMIN_IDS", "EVIDENCE_CHAT_ID", mode="before")(_comma_ints)

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("TELEGRAM_API_BASE_URL", "OPENAI_BASE_URL", "PUBLIC_BASE_URL", "WEBHOOK_URL")
    @classmethod
    def _is_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("WEBHOOK_SECRET")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("FLOOD_LIMIT")
    @classmethod
    def _flood_shape(cls, value: str) -> str:
        match = _FLOOD.match(value)
        if not match or int(match[1]) == 0 or int(match[2]) == 0:
            raise ValueError("must look like 20/10s (updates per seconds)")
        return value

    @field_validator("DEFAULT_TIMEZONE")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown IANA time zone") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.CURRENCY == "EUR" and self.PAYMENT_PROVIDER_TOKEN is None:
            raise ValueError("PAYMENT_PROVIDER_TOKEN is required when CURRENCY=EUR")
        if self.CURRENCY == "XTR" and self.PAYMENT_PROVIDER_TOKEN is not None:
            raise ValueError("PAYMENT_PROVIDER_TOKEN must be empty when CURRENCY=XTR (Stars)")
        if self.WEBHOOK_URL and self.WEBHOOK_SECRET is None:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        if self.topup_min > self.topup_max:
            raise ValueError("TOPUP_MIN must not exceed TOPUP_MAX")
        if self.price_min > self.price_max:
            raise ValueError("PRICE_MIN must not exceed PRICE_MAX")
        return self

    # Derived values: one place for each rule, so no caller repeats it.
    def _bound(self, name: str) -> int:
        explicit = getattr(self, name.upper())
        return explicit if explicit is not None else _CURRENCY_DEFAULTS[self.CURRENCY][name]

    @property
    def topup_min(self) -> int:
        return self._bound("topup_min")

    @property
    def topup_max(self) -> int:
        return self._bound("topup_max")

    @property
    def price_min(self) -> int:
        return self._bound("price_min")

    @property
    def price_max(self) -> int:
        return self._bound("price_max")

    @property
    def webhook_mode(self) -> bool:
        return self.WEBHOOK_URL is not None

    @property
    def public_base_url(self) -> str | None:
        if self.PUBLIC_BASE_URL:
            return self.PUBLIC_BASE_URL
        if self.WEBHOOK_URL:
            parts = urlsplit(self.WEBHOOK_URL)
            return f"{parts.scheme}://{parts.netloc}"
        return None

    @property
    def flood_rate(self) -> tuple[int, int]:
        """(updates, seconds) from FLOOD_LIMIT."""
        match = _FLOOD.match(self.FLOOD_LIMIT)
        assert match is not None  # validated above
        return int(match[1]), int(match[2])

    @property
    def database_url(self) -> str:
        return self.DATABASE_URL.get_secret_value()

    def secret_values(self) -> list[str]:
        """Every configured secret string, for log redaction."""
        values: list[str] = []
        for name in SECRET_FIELDS:
            secret = getattr(self, name)
            if secret is not None:
                values.append(secret.get_secret_value())
        token = self.TELEGRAM_TOKEN.get_secret_value() if self.TELEGRAM_TOKEN else ""
        if ":" in token:
            values.append(token.split(":", 1)[1])  # the secret half alone is still a secret
        password = urlsplit(self.database_url).password
        if password:
            values.append(password)
        return [value for value in values if len(value) >= 4]


SECRET_FIELDS = (
    "TELEGRAM_TOKEN",
    "WEBHOOK_SECRET",
    "PAYMENT_PROVIDER_TOKEN",
    "PAYOUT_DETAILS_KEY",
    "OPENAI_API_KEY",
)


def load_settings(env_file: str | os.PathLike[str] | None = None) -> Settings:
    """Read the process environment and the env file (`ADSBOT_ENV_FILE`, else `.env`, which
    may be absent). A file named by ADSBOT_ENV_FILE must exist: a relative name read from the
    wrong directory would otherwise start the bot on defaults (say, a new ./adsbot.db)."""
    named = os.environ.get("ADSBOT_ENV_FILE") or None
    if env_file is None and named is not None and not Path(named).exists():
        raise ValueError(
            f"ADSBOT_ENV_FILE={named} does not exist here ({Path.cwd()}): give an absolute "
            "path, or unset it to read ./.env"
        )
    chosen = env_file if env_file is not None else (named or ".env")
    return Settings(_env_file=Path(chosen))


class _IsolatedSettings(Settings):
    """Settings that see only the values passed in: no environment, no env file."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def isolated_settings(**values: Any) -> Settings:
    """Build settings from explicit values only (tests, the sandbox launcher)."""
    cleaned = {key: value for key, value in values.items() if value not in (None, "")}
    return _IsolatedSettings(**cleaned)


def explain(error: Exception) -> str:
    """One line naming what is wrong with the configuration (pydantic's own text is long)."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return f"configuration error: {error}"
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "configuration"
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "configuration error: " + "; ".join(parts)
