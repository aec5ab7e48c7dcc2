"""What every Bot API method gets (the call) and the registry the server dispatches through."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from adsbot.sandbox.emulator.models import BotAccount
from adsbot.sandbox.emulator.params import Params
from adsbot.sandbox.emulator.ratelimit import RateLimiter
from adsbot.sandbox.emulator.state import EmulatorState


@dataclass
class Call:
    state: EmulatorState
    bot: BotAccount
    params: Params
    limiter: RateLimiter


@dataclass
class Answer:
    """A result with the top-level `description` Telegram adds to some answers."""

    result: Any
    description: str | None = None


Handler = Callable[[Call], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler; Telegram matches method names case-insensitively."""

    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = handler
        return handler

    return register
