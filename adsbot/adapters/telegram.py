"""The python-telegram-bot application, pointed at `TELEGRAM_API_BASE_URL`, without an Updater.

Updates reach PTB only through our inbox worker (webhook and polling both write to the inbox),
and there is no AIORateLimiter: the outbox paces messages itself (see DESIGN section 3).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot
from telegram.request import HTTPXRequest

from adsbot.web.metrics import Metrics

# Every update type the bot needs. Omitting `allowed_updates` keeps Telegram's previous setting,
# and `chat_member` arrives only when listed explicitly.
ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "channel_post",
    "edited_channel_post",
    "pre_checkout_query",
    "chat_join_request",
]


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds to wait after a 429 (PTB gives an int or a timedelta depending on its settings)."""
    delay = exc.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


class TelegramHealth:
    """Whether the last Bot API call got an answer (for /readyz)."""

    def __init__(self) -> None:
        self.last_ok: bool | None = None
        self.last_at: float | None = None
        self.last_error: str | None = None

    def record(self, ok: bool, error: str | None = None) -> None:
        self.last_ok, self.last_at, self.last_error = ok, time.monotonic(), error


def _result_label(exc: TelegramError) -> str:
    if isinstance(exc, RetryAfter):
        return "429"
    if isinstance(exc, TimedOut):
        return "timeout"
    if isinstance(exc, Forbidden):
        return "forbidden"
    if isinstance(exc, BadRequest):
        return "bad_request"
    if isinstance(exc, NetworkError):
        return "network"
    return type(exc).__name__.lower()


class InstrumentedRequest(HTTPXRequest):
    """Counts calls by method and result; remembers whether Telegram answered."""

    def __init__(self, metrics: Metrics, health: TelegramHealth, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metrics = metrics
        self._health = health

    async def post(self, url: str, *args: Any, **kwargs: Any) -> Any:
        method = url.rsplit("/", 1)[-1]
        try:
            result = await super().post(url, *args, **kwargs)
        except TelegramError as exc:
            label = _result_label(exc)
            self._metrics.telegram_calls.labels(method=method, result=label).inc()
            # An API error (400, 403, 429) is still an answer: Telegram is reachable.
            reachable = not isinstance(exc, NetworkError) or isinstance(exc, RetryAfter)
            self._health.record(reachable, None if reachable else label)
            raise
        self._metrics.telegram_calls.labels(method=method, result="ok").inc()
        self._health.record(True)
        return result


BotApplication = Application[
    ExtBot[None], ContextTypes.DEFAULT_TYPE, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


def build_application(
    token: str, api_base_url: str, metrics: Metrics, health: TelegramHealth
) -> BotApplication:
    def request(read_timeout: float) -> InstrumentedRequest:
        return InstrumentedRequest(
            metrics,
            health,
            connection_pool_size=64,
            read_timeout=read_timeout,
            write_timeout=10.0,
            connect_timeout=5.0,
            pool_timeout=5.0,
        )

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_base_url}/bot")
        .base_file_url(f"{api_base_url}/file/bot")
        .request(request(read_timeout=10.0))
        .get_updates_request(request(read_timeout=40.0))
        .updater(None)
    )
    return builder.build()  # type: ignore[return-value]
