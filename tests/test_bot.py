"""The first thing a person meets: /start (the staging plan's report lists this test)."""

from __future__ import annotations

from adsbot.runtime import Runtime
from adsbot.storage.models import User
from tests.bot.conftest import anna, bot_overrides, bot_settings, john  # noqa: F401
from tests.bot.helpers import MENU_DATA, Person, data_of, rows


async def test_start(running_bot: Runtime, anna: Person, john: Person) -> None:  # noqa: F811
    """/start registers the user and shows the main menu keyed as DESIGN section 2, in the
    user's language; a second /start refreshes the name and keeps the language."""
    reply = await anna.command("start")
    assert "Ciao Anna" in (reply.text or "")
    assert "Menu principale" in (reply.text or "")
    assert data_of(reply) == MENU_DATA  # no admin entry for a normal user
    assert reply.button_labels[0] == "🏪 Marketplace" and "⚙️ Impostazioni" in reply.button_labels

    english = await john.command("start")
    assert "Hi John" in (english.text or "") and "Main menu" in (english.text or "")
    assert data_of(english) == MENU_DATA
    assert "⚙️ Settings" in english.button_labels

    stored = {u.id: u for u in await rows(running_bot, User)}
    assert (stored[anna.id].language, stored[john.id].language) == ("it", "en")
    assert stored[anna.id].time_zone == "Europe/Rome"
    assert stored[anna.id].username == "anna_it"
