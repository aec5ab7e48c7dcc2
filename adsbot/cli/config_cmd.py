"""`adsbot config check`: every variable with ✅/❌ and what it enables; never a secret's value."""

from __future__ import annotations

from urllib.parse import urlsplit

from adsbot.settings import SECRET_FIELDS, Settings
from adsbot.settings_doc import DESCRIPTIONS, OFF_WHEN_MISSING
from adsbot.storage.urls import masked

WEBHOOK_PORTS = {443, 80, 88, 8443}
_CURRENCY_BOUNDS = {"TOPUP_MIN", "TOPUP_MAX", "PRICE_MIN", "PRICE_MAX"}


def required_fields(settings: Settings) -> set[str]:
    """What the chosen mode cannot run without."""
    required = {"TELEGRAM_TOKEN", "DATABASE_URL"}
    if settings.webhook_mode:
        required.add("WEBHOOK_SECRET")
    if settings.CURRENCY == "EUR":
        required.add("PAYMENT_PROVIDER_TOKEN")
    return required


def _is_set(settings: Settings, name: str) -> bool:
    value = getattr(settings, name)
    return value not in (None, [], "")


def report(settings: Settings) -> tuple[list[str], bool]:
    """Lines to print and whether everything required is present."""
    required = required_fields(settings)
    lines: list[str] = []
    ok = True
    for name in Settings.model_fields:
        present = _is_set(settings, name)
        if name == "DATABASE_URL":
            present, shown = True, masked(settings.database_url)  # the default is a value too
        elif name in SECRET_FIELDS:
            shown = "set" if present else "not set"
        else:
            value = getattr(settings, name)
            shown = ",".join(map(str, value)) if isinstance(value, list) else str(value)
            shown = shown if present else "not set"
        note = ""
        if not present and name in _CURRENCY_BOUNDS:
            present, shown = (
                True,
                f"{getattr(settings, name.lower())} (default for {settings.CURRENCY})",
            )
        if not present and name == "PUBLIC_BASE_URL" and settings.public_base_url:
            present, shown = True, f"{settings.public_base_url} (origin of WEBHOOK_URL)"
        mark = "✅" if present else "❌"
        if not present and name == "PAYMENT_PROVIDER_TOKEN" and settings.CURRENCY == "XTR":
            mark, note = "➖", "  (not used: Stars need no provider token)"
        elif not present and name in required:
            ok = False
            note = "  ← required"
        elif not present and name in OFF_WHEN_MISSING:
            note = f"  ({OFF_WHEN_MISSING[name]})"
        lines.append(f"{mark} {name} = {shown}: {DESCRIPTIONS[name]}{note}")
    if settings.WEBHOOK_URL:
        parts = urlsplit(settings.WEBHOOK_URL)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if port not in WEBHOOK_PORTS:
            lines.append(f"⚠️ WEBHOOK_URL uses port {port}: Telegram only calls 443, 80, 88, 8443")
    return lines, ok


def run(settings: Settings) -> int:
    lines, ok = report(settings)
    print("\n".join(lines))
    print("✅ configuration complete" if ok else "❌ something required is missing")
    return 0 if ok else 1
