"""Telegram's flood limits as token buckets, on the emulator's clock.

About one message a second in a private chat (short bursts tolerated), 20 a minute in a group or
channel, 30 a second overall. Each limit can be switched off and all can be scaled (scale 2 lets
twice as much through). With a FakeClock buckets refill only when the test moves the clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from adsbot.sandbox.emulator.errors import too_many_requests

# kind -> (tokens per second, burst)
DEFAULT_LIMITS: dict[str, tuple[float, float]] = {
    "private": (1.0, 3.0),
    "group": (20 / 60, 20.0),
    "global": (30.0, 30.0),
}


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self, now: Callable[[], float], *, enabled: bool = True, scale: float = 1.0
    ) -> None:
        self._now = now
        self.enabled = {kind: enabled for kind in DEFAULT_LIMITS}
        self.scale = scale
        self._buckets: dict[tuple[str, int, int], _Bucket] = {}

    def configure(
        self,
        *,
        enabled: bool | None = None,
        private: bool | None = None,
        group: bool | None = None,
        global_: bool | None = None,
        scale: float | None = None,
    ) -> None:
        if enabled is not None:
            self.enabled = dict.fromkeys(DEFAULT_LIMITS, enabled)
        for kind, value in (("private", private), ("group", group), ("global", global_)):
            if value is not None:
                self.enabled[kind] = value
        if scale is not None:
            if scale <= 0:
                raise ValueError("scale must be positive")
            self.scale = scale
        self._buckets.clear()

    def describe(self) -> dict[str, object]:
        return {"enabled": dict(self.enabled), "scale": self.scale}

    def check(self, bot_id: int, chat_id: int, chat_type: str) -> None:
        """Take one token from the chat's and the global bucket, or raise 429 taking none."""
        now = self._now()
        chat_kind = "private" if chat_type == "private" else "group"
        keys = [(chat_kind, bot_id, chat_id), ("global", bot_id, 0)]
        active = [key for key in keys if self.enabled[key[0]]]
        buckets = [self._refilled(key, now) for key in active]
        waits = [self._wait(key[0], bucket) for key, bucket in zip(active, buckets, strict=True)]
        if any(wait > 0 for wait in waits):
            raise too_many_requests(max(1, math.ceil(max(waits))))
        for bucket in buckets:
            bucket.tokens -= 1

    def _refilled(self, key: tuple[str, int, int], now: float) -> _Bucket:
        rate, burst = DEFAULT_LIMITS[key[0]]
        bucket = self._buckets.setdefault(key, _Bucket(burst, now))
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(burst, bucket.tokens + elapsed * rate * self.scale)
        bucket.updated = now
        return bucket

    def _wait(self, kind: str, bucket: _Bucket) -> float:
        if bucket.tokens >= 1:
            return 0.0
        rate = DEFAULT_LIMITS[kind][0] * self.scale
        return (1 - bucket.tokens) / rate
