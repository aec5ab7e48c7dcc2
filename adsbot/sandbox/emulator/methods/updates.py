"""Getting updates: webhook settings and long polling with getUpdates."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

from adsbot.sandbox.emulator import errors
from adsbot.sandbox.emulator.errors import ApiError, bad_request
from adsbot.sandbox.emulator.methods.base import Answer, Call, method
from adsbot.sandbox.emulator.models import Webhook

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_POLL_TIMEOUT = 50.0


def _allowed_updates(call: Call) -> None:
    # Omitting allowed_updates keeps the previous setting; an empty list means "the default".
    if call.params.has("allowed_updates"):
        value = call.params.decoded("allowed_updates")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad_request("can't parse allowed updates")
        call.bot.allowed_updates = value or None


def _drop_pending(call: Call) -> None:
    if call.params.flag("drop_pending_updates"):
        call.bot.pending.clear()


@method("setWebhook")
async def set_webhook(call: Call) -> Any:
    url = call.params.text("url") or ""
    if not url:
        return await delete_webhook(call)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if parts.hostname not in _LOOPBACK:
        # Tests must never reach beyond this machine.
        raise bad_request("bad webhook: the emulator delivers only to 127.0.0.1")
    secret = call.params.text("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = call.params.integer("max_connections", 40) or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    _allowed_updates(call)
    _drop_pending(call)
    call.bot.webhook = Webhook(url=url, secret_token=secret, max_connections=max_connections)
    call.state.notify()  # a waiting getUpdates ends with 409
    return Answer(True, "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(call: Call) -> Any:
    had_webhook = call.bot.webhook is not None
    _drop_pending(call)
    call.bot.webhook = None
    call.state.notify()
    return Answer(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> Any:
    hook = call.bot.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(call.bot.pending),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        info["ip_address"] = "127.0.0.1"
        if hook.last_error_date is not None:
            info["last_error_date"] = int(hook.last_error_date.timestamp())
            info["last_error_message"] = hook.last_error_message
    if call.bot.allowed_updates:
        info["allowed_updates"] = call.bot.allowed_updates
    return info


@method("getUpdates")
async def get_updates(call: Call) -> Any:
    bot = call.bot
    if bot.webhook is not None:
        raise ApiError(409, errors.WEBHOOK_ACTIVE)
    offset = call.params.integer("offset", 0) or 0
    limit = min(max(call.params.integer("limit", 100) or 100, 1), 100)
    timeout = min(max(float(call.params.integer("timeout", 0) or 0), 0.0), MAX_POLL_TIMEOUT)
    _allowed_updates(call)
    # An update is confirmed by any later call with a higher offset; a negative offset keeps
    # only the last -offset updates.
    if offset > 0:
        while bot.pending and bot.pending[0]["update_id"] < offset:
            bot.pending.popleft()
    elif offset < 0:
        while len(bot.pending) > -offset:
            bot.pending.popleft()
    bot.poll_generation += 1
    generation = bot.poll_generation
    call.state.notify()  # an older waiting getUpdates ends with 409
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if bot.webhook is not None:
            raise ApiError(409, errors.WEBHOOK_ACTIVE)
        if bot.poll_generation != generation:
            raise ApiError(409, errors.POLL_TERMINATED)
        updates = [u for u in bot.pending if u["update_id"] >= offset][:limit]
        remaining = deadline - loop.time()
        if updates or remaining <= 0 or call.state.closing.is_set():
            return updates
        await call.state.wait_for_change(remaining)
