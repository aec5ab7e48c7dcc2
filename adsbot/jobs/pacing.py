"""Pacing rules for messages out, pure and clock-free so tests can state them exactly.

- `Pacer`: Telegram's flood limits as reservations (the generic cell-rate algorithm): one send per
  `1/rate` seconds per private chat, per group or channel, and overall. A reservation is taken
  before the request leaves, so concurrent sends never exceed the rate.
- `FloodGuard`: the global pause rule. One 429 says "this chat is too busy"; 429s from several
  different chats within a short window say "the bot is over its global limit" (Telegram's answer
  does not tell which), so everything pauses.
- `RetryPolicy`: capped exponential backoff with jitter for 5xx and timeouts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

PRIVATE, GROUP, GLOBAL = "private", "group", "global"


def chat_kind(chat_id: int) -> str:
    """Private chats have positive ids; groups, supergroups and channels negative ones."""
    return PRIVATE if chat_id > 0 else GROUP


@dataclass(frozen=True)
class PaceLimits:
    """Sends per second. Defaults are Telegram's: 1/s per private chat, 20/min per group or
    channel, and 25/s overall (under the documented ~30/s, leaving room for direct replies)."""

    private_per_s: float = 1.0
    group_per_s: float = 20 / 60
    global_per_s: float = 25.0

    def scaled(self, factor: float) -> PaceLimits:
        """All limits multiplied together (tests and benchmarks shorten time this way)."""
        return PaceLimits(
            self.private_per_s * factor, self.group_per_s * factor, self.global_per_s * factor
        )

    def rate(self, kind: str) -> float:
        return {PRIVATE: self.private_per_s, GROUP: self.group_per_s, GLOBAL: self.global_per_s}[
            kind
        ]


class Pacer:
    """Per-chat and global reservations on a monotonic time line (seconds).

    No bursts: sends are spread evenly, which keeps us under Telegram's buckets whatever their
    burst allowance is.
    """

    def __init__(self, limits: PaceLimits | None = None) -> None:
        self.limits = limits or PaceLimits()
        self._next: dict[tuple[str, int], float] = {}  # earliest next send per chat / overall
        self._reservations = 0

    def _keys(self, chat_id: int) -> tuple[tuple[str, int], tuple[str, int]]:
        return (chat_kind(chat_id), chat_id), (GLOBAL, 0)

    def earliest(self, chat_id: int, now: float) -> float:
        """When a message to `chat_id` could leave, without reserving it."""
        chat_key, global_key = self._keys(chat_id)
        return max(now, self._next.get(chat_key, now), self._next.get(global_key, now))

    def reserve(self, chat_id: int, now: float) -> float:
        """Reserve the earliest slot for `chat_id`; returns its time."""
        at = self.earliest(chat_id, now)
        for key in self._keys(chat_id):
            self._next[key] = at + 1.0 / self.limits.rate(key[0])
        self._reservations += 1
        if self._reservations % 1024 == 0:
            self._forget(now)
        return at

    def _forget(self, now: float) -> None:
        # Chats whose next slot has passed behave exactly like chats never seen.
        self._next = {key: at for key, at in self._next.items() if at > now}


@dataclass
class FloodGuard:
    """The global pause rule: when `threshold` different chats get a 429 within `window`,
    pause all sending for the longest `retry_after` among them (at least `min_pause`)."""

    threshold: int = 3
    window: timedelta = timedelta(seconds=10)
    min_pause: timedelta = timedelta(seconds=1)
    paused_until: datetime | None = None
    _hits: list[tuple[datetime, int, float]] = field(default_factory=list)

    def record(self, chat_id: int, retry_after_s: float, now: datetime) -> datetime | None:
        """Note a 429; returns the pause end when this one triggers a global pause."""
        self._hits = [hit for hit in self._hits if now - hit[0] <= self.window]
        self._hits.append((now, chat_id, retry_after_s))
        if len({hit[1] for hit in self._hits}) < self.threshold:
            return None
        longest = max(timedelta(seconds=max(hit[2] for hit in self._hits)), self.min_pause)
        until = now + longest
        self.paused_until = max(until, self.paused_until or until)
        self._hits.clear()
        return self.paused_until

    def paused(self, now: datetime) -> bool:
        return self.paused_until is not None and now < self.paused_until


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for 5xx and timeouts: `base * 2**(attempt-1)`, capped, times a jitter in
    [1 - jitter, 1] so many rows failing together do not come back together."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=5)
    jitter: float = 0.5
    max_attempts: int = 6

    def delay(self, attempt: int, rng: random.Random | None = None) -> timedelta:
        raw = min(self.cap.total_seconds(), self.base.total_seconds() * 2 ** max(0, attempt - 1))
        factor = 1.0 - self.jitter * (rng or random).random()
        return timedelta(seconds=raw * factor)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
