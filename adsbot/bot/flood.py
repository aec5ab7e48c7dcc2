"""Inbound flood control (DESIGN section 3): a token bucket per user, applied by the inbox worker
after the update is stored and before it is handled.

`FLOOD_LIMIT` = n/seconds: a user may burst n updates, refilled at n per `seconds`. The first
update over the limit gets one polite "too fast" message; the rest are dropped silently until a
whole window has passed. A dropped callback query still gets an empty answer (Telegram shows a
spinner until it does). Payments, membership changes and channel posts are never throttled: they
are not a person typing, and some have deadlines (pre-checkout: 10 seconds).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, Update
from telegram.error import TelegramError

from adsbot.adapters.clock import Clock
from adsbot.bot.i18n import match_language, t
from adsbot.services import users
from adsbot.storage.database import Database

logger = logging.getLogger(__name__)

# Asks the language of a user for the "too fast" message (the stored one, else Telegram's).
LanguageOf = Callable[[Update], Awaitable[str]]
_PRUNE_EVERY = 1000


def exempt(update: Update) -> bool:
    """Updates that are never throttled."""
    if (
        update.pre_checkout_query is not None
        or update.my_chat_member is not None
        or update.chat_member is not None
        or update.chat_join_request is not None
        or update.channel_post is not None
        or update.edited_channel_post is not None
    ):
        return True
    message = update.message
    return message is not None and message.successful_payment is not None


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned_at: float | None = None


class FloodGate:
    """The worker's gate: `await gate(update)` is True to handle the update, False to drop it."""

    def __init__(
        self,
        bot: Bot,
        rate: tuple[int, int],
        language_of: LanguageOf,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Clock | None = None,
    ) -> None:
        self._bot = bot
        self._clock = clock
        self.capacity, self.window = float(rate[0]), float(rate[1])
        self._refill = self.capacity / self.window  # tokens per second
        self._language_of = language_of
        self._now = monotonic
        self._buckets: dict[int, _Bucket] = {}
        self._calls = 0
        self.dropped = 0
        self.warned = 0

    async def __call__(self, update: Update) -> bool:
        user = update.effective_user
        if user is None or exempt(update) or self._from_backlog(update):
            return True
        if self._take(user.id):
            return True
        self.dropped += 1
        await self._on_drop(update, user.id)
        return False

    def _from_backlog(self, update: Update) -> bool:
        """A message written longer ago than the window is a backlog Telegram (or our replay)
        delivers late in a burst, not a user flooding now: it is handled, not counted."""
        message = update.message
        if self._clock is None or message is None:
            return False
        return (self._clock.now() - message.date).total_seconds() > self.window

    def _take(self, user_id: int) -> bool:
        now = self._now()
        self._calls += 1
        if self._calls % _PRUNE_EVERY == 0:
            self._prune(now)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self._refill)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        return False

    def _should_warn(self, user_id: int) -> bool:
        """Once per window: the first excess update is told, the rest are dropped quietly."""
        bucket = self._buckets[user_id]
        now = self._now()
        if bucket.warned_at is not None and now - bucket.warned_at < self.window:
            return False
        bucket.warned_at = now
        return True

    async def _on_drop(self, update: Update, user_id: int) -> None:
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            if self._should_warn(user_id):
                self.warned += 1
                chat = update.effective_chat
                chat_id = chat.id if chat is not None and chat.type == "private" else user_id
                text = t(await self._language(update, user_id), "flood.too_fast")
                await self._bot.send_message(chat_id, text)
        except TelegramError as exc:
            logger.info("Could not tell user %s to slow down: %s", user_id, exc)

    async def _language(self, update: Update, user_id: int) -> str:
        """The stored language; Telegram's language_code if the lookup fails (the database may be
        what is struggling under the flood): the warning must not escape the gate."""
        try:
            return await self._language_of(update)
        except Exception:
            logger.warning("Language lookup failed for user %s", user_id, exc_info=True)
            person = update.effective_user
            return match_language(person.language_code if person else None)

    def _prune(self, now: float) -> None:
        """Forget users whose bucket has refilled and who were not warned recently."""
        for user_id, bucket in list(self._buckets.items()):
            full = bucket.tokens + (now - bucket.updated) * self._refill >= self.capacity
            if full and (bucket.warned_at is None or now - bucket.warned_at >= self.window):
                del self._buckets[user_id]


def stored_language(db: Database, default: str) -> LanguageOf:
    """The language the user chose (stored), else Telegram's language_code matched by prefix."""

    async def language_of(update: Update) -> str:
        person = update.effective_user
        if person is None:
            return default
        found = await users.get(db, person.id)
        return found.language if found else match_language(person.language_code, default)

    return language_of
