"""The emulator assembled: state, limits, faults, webhook delivery and the ASGI app."""

from __future__ import annotations

from adsbot.adapters.clock import Clock, SystemClock
from adsbot.sandbox.emulator.delivery import DeliveryPolicy, WebhookDelivery
from adsbot.sandbox.emulator.faults import FaultInjector
from adsbot.sandbox.emulator.ratelimit import RateLimiter
from adsbot.sandbox.emulator.server import build_app
from adsbot.sandbox.emulator.state import EmulatorState


class Emulator:
    """A Telegram Bot API look-alike. Serve `app` with any ASGI server; call `start`/`stop`
    around it so webhook delivery runs (or use `running_emulator`)."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        rate_limits: bool = True,
        rate_scale: float = 1.0,
        delivery: DeliveryPolicy | None = None,
        auto_register_bots: bool = True,
        default_bot_username: str = "adsbot_test_bot",
        callback_answer_window: float = 15.0,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.state = EmulatorState(
            self.clock,
            auto_register_bots=auto_register_bots,
            default_bot_username=default_bot_username,
            callback_answer_window=callback_answer_window,
        )
        self.limiter = RateLimiter(
            lambda: self.clock.now().timestamp(), enabled=rate_limits, scale=rate_scale
        )
        self.faults = FaultInjector()
        self.delivery = WebhookDelivery(self.state, delivery)
        self.app = build_app(self)

    async def start(self) -> None:
        await self.delivery.start()

    async def stop(self) -> None:
        """Release waiting requests and stop delivering; safe to call twice."""
        if self.state.closing.is_set():
            return
        self.state.closing.set()
        self.state.notify()
        await self.delivery.stop()
