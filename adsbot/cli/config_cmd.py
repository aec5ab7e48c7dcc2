"""`adsbot config check`: every variable with ✅/❌ and what it enables; never a secret's value."""

from __future__ import annotations

from urllib.parse import urlsplit

from adsbot.settings import SECRET_FIELDS, Settings
from adsbot.settings_doc import DESCRIPTIONS

WEBHOOK_PORTS = {443, 80, 88, 8443}
_CURRENCY_BOUNDS = {"TOPUP_MIN", "TOPUP_MAX", "PRICE_MIN", "PRICE_MAX"}
# Optional features and what their absence turns off.
_OFF_WHEN_MISSING = {
    "OPENAI_API_KEY": "AI copywriter uses template drafts",
    "EVIDENCE_CHAT_ID": "ordering is off",
    "PAYOUT_DETAILS_KEY": "withdrawals are off",
    "ADMIN_IDS": "nobody has admin rights",
    "XTR_PAYOUT_RATE": "XTR payouts cannot be approved",
    "WEBHOOK_URL": "polling mode",
}


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
        if name in SECRET_FIELDS or name == "DATABASE_URL":
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
        if not present and name in required:
            ok = False
            note = "  ← required"
        elif not present and name in _OFF_WHEN_MISSING:
            note = f"  ({_OFF_WHEN_MISSING[name]})"
        mark = "✅" if present else "❌"
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
