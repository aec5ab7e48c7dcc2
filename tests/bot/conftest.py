"""The bot against the in-process emulator, with an admin and a flood limit tests do not hit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adsbot.runtime import Runtime
from adsbot.settings import Settings
from tests import harness
from tests.bot.helpers import ADMIN_ID, Person
from tests.conftest import WEBHOOK_SECRET


@pytest.fixture
def bot_overrides() -> dict[str, Any]:
    """Settings a test module changes (override this fixture)."""
    return {}


@pytest.fixture
def bot_settings(
    make_settings: Any, emulator: Any, sqlite_url: str, bot_overrides: dict[str, Any]
) -> Settings:
    from adsbot.sandbox.emulator.testing import TEST_TOKEN

    port = harness.free_port()
    values: dict[str, Any] = {
        "TELEGRAM_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/webhook/telegram",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "HOST": "127.0.0.1",
        "PORT": port,
        "DATABASE_URL": sqlite_url,
        "READY_GRACE_S": 0,
        "ADMIN_IDS": str(ADMIN_ID),
        # Tests press buttons faster than people do; the flood tests set their own limit.
        "FLOOD_LIMIT": "10000/1s",
    }
    values.update(bot_overrides)
    settings: Settings = make_settings(**values)
    return settings


@pytest.fixture
async def anna(running_bot: Runtime, emulator: Any) -> Person:
    """An Italian user who has not written yet."""
    return await Person.create(emulator, "Anna", username="anna_it", language_code="it")


@pytest.fixture
async def john(running_bot: Runtime, emulator: Any) -> Person:
    """An English user (`en-US`) who has not written yet."""
    return await Person.create(emulator, "John", username="john_en", language_code="en-US")


@pytest.fixture
async def admin(running_bot: Runtime, emulator: Any) -> Person:
    return await Person.create(emulator, "Ada", username="ada_admin", user_id=ADMIN_ID)


@pytest.fixture
async def people(running_bot: Runtime, emulator: Any) -> AsyncIterator[Any]:
    """A factory for more users: `await people("Luca", language_code="it")`."""

    async def make(name: str, **kwargs: Any) -> Person:
        return await Person.create(emulator, name, **kwargs)

    yield make
