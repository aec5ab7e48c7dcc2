"""At start-up the bot sets its commands and description: Italian by default, English for `en`."""

from __future__ import annotations

import telegram

from adsbot.runtime import Runtime


async def test_commands_and_descriptions_are_set_in_italian_and_english(
    running_bot: Runtime, emulator_bot: telegram.Bot
) -> None:
    default = await emulator_bot.get_my_commands()
    english = await emulator_bot.get_my_commands(language_code="en")
    assert [c.command for c in default] == [c.command for c in english]
    assert {
        "start",
        "help",
        "settings",
        "wallet",
        "support",
        "cancel",
        "terms",
        "privacy",
        "paysupport",
    } == {c.command for c in default}
    assert dict((c.command, c.description) for c in default)["help"] == "Come funziona"
    assert dict((c.command, c.description) for c in english)["help"] == "How it works"
    assert "mercato dei post" in (await emulator_bot.get_my_description()).description
    assert "marketplace" in (await emulator_bot.get_my_description(language_code="en")).description
    assert (await emulator_bot.get_my_short_description(language_code="en")).short_description
