"""Webhook delivery: POST each pending update to the bot's URL, in order, retrying with backoff.

Like Telegram, the next update waits until the current one got a 2xx answer; a failure (non-2xx,
connection error or no answer in time) is recorded for getWebhookInfo and retried after a growing
pause. Delays are real time (they are about a network peer, not about the emulated world).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

import httpx

from adsbot.sandbox.emulator.models import BotAccount
from adsbot.sandbox.emulator.state import EmulatorState

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


@dataclass
class DeliveryPolicy:
    timeout: float = 10.0  # seconds the bot has to answer a webhook call
    first_retry: float = 1.0  # seconds before the first retry, doubling each time
    max_retry: float = 60.0
    max_attempts: int | None = None  # None: retry until the webhook changes or is removed


class WebhookDelivery:
    """One worker task per bot with a webhook."""

    def __init__(self, state: EmulatorState, policy: DeliveryPolicy | None = None) -> None:
        self.state = state
        self.policy = policy or DeliveryPolicy()
        self._client: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._workers: dict[int, asyncio.Task[None]] = {}

    async def start(self) -> None:
        self._client = httpx.AsyncClient(trust_env=False)
        self._task = asyncio.create_task(self._supervise(), name="emulator-webhooks")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._workers.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers.clear()
        if self._client is not None:
            await self._client.aclose()

    async def _supervise(self) -> None:
        while not self.state.closing.is_set():
            for bot in list(self.state.bots.values()):
                worker = self._workers.get(bot.user.id)
                if bot.webhook is not None and (worker is None or worker.done()):
                    self._workers[bot.user.id] = asyncio.create_task(self._deliver(bot))
            await self.state.wait_for_change(1.0)

    async def _deliver(self, bot: BotAccount) -> None:
        failures = 0
        while bot.webhook is not None and not self.state.closing.is_set():
            if not bot.pending:
                await self.state.wait_for_change(1.0)
                continue
            hook, update = bot.webhook, bot.pending[0]
            error = await self._post(hook.url, hook.secret_token, update)
            if error is None:
                failures = 0
                if bot.pending and bot.pending[0] is update:
                    bot.pending.popleft()
                self.state.emit(
                    "webhook_delivered", bot_id=bot.user.id, update_id=update["update_id"]
                )
                continue
            failures += 1
            hook.last_error_date = self.state.now()
            hook.last_error_message = error
            logger.info("webhook delivery of update %s failed: %s", update["update_id"], error)
            limit = self.policy.max_attempts
            if limit is not None and failures >= limit:
                if bot.pending and bot.pending[0] is update:
                    bot.pending.popleft()
                failures = 0
                continue
            delay = min(self.policy.first_retry * 2 ** (failures - 1), self.policy.max_retry)
            await self._pause(bot, delay)

    async def _pause(self, bot: BotAccount, delay: float) -> None:
        """Sleep before a retry, cut short by shutdown or a new webhook setting."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        hook = bot.webhook
        while loop.time() < deadline and bot.webhook is hook and not self.state.closing.is_set():
            await self.state.wait_for_change(deadline - loop.time())

    async def _post(self, url: str, secret: str | None, update: dict[str, object]) -> str | None:
        assert self._client is not None
        headers = {SECRET_HEADER: secret} if secret else {}
        try:
            response = await self._client.post(
                url, json=update, headers=headers, timeout=self.policy.timeout
            )
        except httpx.TimeoutException:
            return "Read timeout expired"
        except httpx.HTTPError as exc:
            return f"Connection failed: {exc.__class__.__name__}"
        if 200 <= response.status_code < 300:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
