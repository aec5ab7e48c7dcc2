"""What each setting is for: one source for `adsbot config check`, the README and .env.example."""

from __future__ import annotations

from adsbot.settings import SECRET_FIELDS, Settings

# name -> what it enables or controls (English; the operator's documentation language).
DESCRIPTIONS: dict[str, str] = {
    "TELEGRAM_TOKEN": "Bot token from @BotFather; required to run against Telegram",
    "TELEGRAM_API_BASE_URL": "Bot API server root (`/bot` and `/file/bot` are appended)",
    "WEBHOOK_URL": "Set: webhook mode (setWebhook with the secret); unset: polling",
    "WEBHOOK_SECRET": "Webhook secret token (A-Za-z0-9_-, 1-256); required in webhook mode",
    "HOST": "Address of the web server (webhook, health, metrics, redirects)",
    "PORT": "Port of the web server",
    "PUBLIC_BASE_URL": "Public origin for /r/<token> links (default: origin of WEBHOOK_URL)",
    "DATABASE_URL": "sqlite:///path.db or postgresql://user:pass@host/db",
    "ADMIN_IDS": "Comma-separated Telegram user ids with admin rights",
    "CURRENCY": "XTR (Telegram Stars) or EUR; fixed once the database holds money",
    "PAYMENT_PROVIDER_TOKEN": "Payment provider token; required if and only if CURRENCY=EUR",
    "PLATFORM_FEE_PERCENT": "Platform fee on settled orders, percent",
    "MIN_WITHDRAWAL": "Smallest withdrawal, minor units",
    "XTR_PAYOUT_RATE": "EUR cents paid per Star on payouts (CURRENCY=XTR)",
    "TOPUP_MIN": "Smallest top-up, minor units (default per currency)",
    "TOPUP_MAX": "Largest top-up, minor units (default per currency)",
    "PRICE_MIN": "Lowest listing price, minor units (default per currency)",
    "PRICE_MAX": "Highest listing price, minor units (default per currency)",
    "DECISION_TIMEOUT_MINUTES": "Minutes a publisher has to accept an order",
    "DISPUTE_WINDOW_HOURS": "Hours after completion before the publisher is paid",
    "AD_MIN_GAP_MINUTES": "Minimum minutes between two ads in one channel",
    "METRICS_INTERVAL_HOURS": "Hours between channel subscriber refreshes",
    "EVIDENCE_CHAT_ID": "Chat id(s) for evidence copies; required to accept orders",
    "AD_LABEL": "Label added to ads in non-English channels",
    "AD_LABEL_EN": "Label added to ads in English-audience channels",
    "PAYOUT_DETAILS_KEY": "Encryption key for payout details; required for withdrawals",
    "SHOW_DEMO_DATA": "true: seeded demo objects behave like any other (sandbox)",
    "DEFAULT_LANGUAGE": "Language for users whose Telegram language is not supported",
    "DEFAULT_TIMEZONE": "Time zone for new users (IANA name)",
    "OPENAI_API_KEY": "OpenAI key for the AI copywriter; unset: template drafts",
    "OPENAI_MODEL": "OpenAI model for the copywriter",
    "OPENAI_BASE_URL": "OpenAI-compatible API root, ending in /v1 (the sandbox uses its fake)",
    "AI_TIMEOUT_SECONDS": "Timeout of one OpenAI request",
    "AI_TOTAL_DEADLINE_SECONDS": "Deadline of one AI draft, retries included",
    "AI_HOURLY_QUOTA": "AI drafts per user per hour",
    "AI_CONCURRENCY": "AI requests in flight at once",
    "FLOOD_LIMIT": "Inbound updates allowed per user, as N/Ss",
    "INBOX_CONCURRENCY": "Updates processed at once (across different users)",
    "READY_MAX_INBOX_LAG_S": "/readyz fails when the oldest pending update is older",
    "READY_MAX_OUTBOX_LAG_S": "/readyz fails when the oldest unsent message is older",
    "READY_GRACE_S": "/readyz start-up grace, seconds",
    "LOG_DIR": "Directory of adsbot.log and error.log",
    "LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR",
    "LOG_RETENTION_DAYS": "Days of rotated log files kept",
    "BACKUP_DIR": "Directory for database backups",
    "SANDBOX_PORT": "Port of the `make demo` chat page",
    "EMULATOR_PORT": "Port of the `make demo` Telegram emulator",
}

# Optional features and what their absence turns off (`config check` and the start-up log).
OFF_WHEN_MISSING = {
    "OPENAI_API_KEY": "AI copywriter uses template drafts",
    "EVIDENCE_CHAT_ID": "ordering is off",
    "PAYOUT_DETAILS_KEY": "withdrawals are off",
    "ADMIN_IDS": "nobody has admin rights",
    "XTR_PAYOUT_RATE": "XTR payouts cannot be approved",
    "WEBHOOK_URL": "polling mode",
}


def default_text(name: str) -> str:
    field = Settings.model_fields[name]
    if field.default_factory is not None:
        return ""
    default = field.default
    if default is None:
        return ""
    if name in SECRET_FIELDS or name == "DATABASE_URL":
        return str(default.get_secret_value()) if hasattr(default, "get_secret_value") else ""
    if isinstance(default, bool):
        return str(default).lower()
    return str(default)


def markdown_table() -> str:
    """The configuration table of the README."""
    lines = ["| variable | default | what it does |", "|---|---|---|"]
    for name in Settings.model_fields:
        default = default_text(name)
        shown = f"`{default}`" if default else "—"
        lines.append(f"| `{name}` | {shown} | {DESCRIPTIONS[name]} |")
    return "\n".join(lines)


def env_example() -> str:
    """The text of .env.example: every variable, its description on the line above."""
    lines = ["# adsbot configuration. Empty values count as unset. See README.md.", ""]
    for name in Settings.model_fields:
        lines.append(f"# {DESCRIPTIONS[name]}")
        lines.append(f"{name}={default_text(name)}")
        lines.append("")
    return "\n".join(lines)
