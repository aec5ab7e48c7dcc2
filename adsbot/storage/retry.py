"""Run a whole unit of work again when PostgreSQL gives up on it (deadlock, serialization).

Only the whole unit can be retried: after a deadlock PostgreSQL has rolled the transaction back,
so every statement of the use case must run again, on fresh reads.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError

from adsbot.storage.database import Database
from adsbot.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

# deadlock_detected, serialization_failure
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
DEFAULT_ATTEMPTS = 5


def is_retryable(exc: BaseException) -> bool:
    """True for the errors that mean "run the same transaction again"."""
    return (
        isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES
    )


async def run_with_retry[T](
    database: Database,
    work: Callable[[UnitOfWork], Awaitable[T]],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
) -> T:
    """Open a unit of work, run `work` in it, commit; on a deadlock start over (bounded)."""
    for attempt in range(1, attempts + 1):
        try:
            async with database.unit_of_work() as uow:
                result = await work(uow)
                await uow.commit()
                return result
        except DBAPIError as exc:
            if not is_retryable(exc) or attempt == attempts:
                raise
            logger.warning("transaction retried after %s (attempt %s)", exc.orig, attempt)
            # Jitter so the two losers of a deadlock do not collide again in lockstep.
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")


async def retry_write(
    write: Callable[[], Awaitable[None]], what: str, *, attempts: int = DEFAULT_ATTEMPTS
) -> None:
    """Run an idempotent write again when it fails for any reason (a locked or briefly
    unreachable database), a bounded number of times with a growing pause; re-raise the last
    failure. For marks whose loss means work done twice (an update handled, a message sent)."""
    for attempt in range(attempts):
        try:
            await write()
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            logger.warning("%s failed; retrying", what)
            await asyncio.sleep(0.2 * 2**attempt)
