"""The python-telegram-bot application, pointed at `TELEGRAM_API_BASE_URL`, without an Updater.

Updates reach PTB only through our inbox worker (webhook and polling both write to the inbox),
and there is no AIORateLimiter: the outbox paces messages itself (see DESIGN section 3).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot
from telegram.request import HTTPXRequest

from adsbot.web.metrics import Metrics

logger = logging.getLogger(__name__)

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


class InstrumentedRequest(HTTPXRequest):
    """Counts calls by method and result; remembers whether Telegram answered."""

    def __init__(self, metrics: Metrics, health: TelegramHealth, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metrics = metrics
        self._health = health

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        try:
            code, payload = await super().do_request(url, method, *args, **kwargs)
        except TimedOut:
            self._count(endpoint, "timeout", reachable=False)
            logger.debug("Bot API %s %s timed out", method, url, exc_info=True)
            raise
        except NetworkError:
            self._count(endpoint, "network", reachable=False)
            logger.debug("Bot API %s %s failed", method, url, exc_info=True)
            raise
        if code >= 500:
            # The URL carries the token: the log formatter masks it (adsbot.logs).
            logger.debug("Bot API %s %s answered %d", method, url, code)
        # 4xx (and 429) are answers: Telegram is reachable. 5xx means it is not serving us.
        self._count(endpoint, "ok" if code == 200 else str(code), reachable=code < 500)
        return code, payload

    def _count(self, endpoint: str, result: str, *, reachable: bool) -> None:
        self._metrics.telegram_calls.labels(method=endpoint, result=result).inc()
        self._health.record(reachable, None if reachable else result)


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
    return builder.build()
