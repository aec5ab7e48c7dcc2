"""`users.unreachable_since`: set when the user blocks the bot, cleared only by what proves the
private chat works again."""

from __future__ import annotations

from typing import Any

from adsbot.runtime import Runtime
from adsbot.services.reachability import mark_unreachable
from adsbot.storage.models import User
from tests.bot.helpers import Person, rows, settle


async def _unreachable_since(runtime: Runtime, person: Person) -> Any:
    (found,) = await rows(runtime, User, User.id == person.id)
    return found.unreachable_since


async def test_a_blocked_user_writing_in_a_group_stays_unreachable(
    running_bot: Runtime, anna: Person, emulator: Any
) -> None:
    await anna.command("start")
    await anna.driver.block_bot(anna.user)
    # What the private my_chat_member "kicked" update records (the emulator does not send it).
    components = running_bot.components
    await mark_unreachable(components.db, anna.id, components.clock.now())
    assert await _unreachable_since(running_bot, anna) is not None
    group = await emulator.driver.create_chat("Gruppo")
    await emulator.driver.send_text(anna.user, "ciao a tutti", chat_id=group["id"])
    await settle(running_bot)
    assert await _unreachable_since(running_bot, anna) is not None
