"""What the bot waits for lives in the database: /cancel clears it from anywhere, a restart keeps
it, a stale one expires politely; text when nothing is expected gets a hint and the menu."""

from __future__ import annotations

from typing import Any

from adsbot.adapters.clock import FakeClock
from adsbot.runtime import Runtime
from adsbot.settings import Settings
from adsbot.storage.models import ConversationState, OutboxMessage, User
from tests.bot.helpers import MENU_DATA, Person, data_of, rows


async def _start_typing_a_zone(person: Person) -> None:
    await person.command("settings")
    await person.press("set:tz")
    await person.press("set:tzt")


async def test_text_when_nothing_is_expected_gets_a_hint_and_the_menu(
    running_bot: Runtime, anna: Person, john: Person
) -> None:
    reply = await anna.say("ciao, come funziona?")
    assert "Usa i pulsanti qui sotto" in (reply.text or "") and data_of(reply) == MENU_DATA
    english = await john.say("hello?")
    assert "Use the buttons below" in (english.text or "")


async def test_an_unknown_command_gets_a_hint_and_the_menu(
    running_bot: Runtime, anna: Person
) -> None:
    reply = await anna.command("boh")
    assert "Non conosco questo comando" in (reply.text or "") and data_of(reply) == MENU_DATA


async def test_cancel_clears_the_step_from_anywhere_and_shows_the_menu(
    running_bot: Runtime, anna: Person
) -> None:
    await _start_typing_a_zone(anna)
    assert len(await rows(running_bot, ConversationState)) == 1
    reply = await anna.command("cancel")
    assert "Operazione annullata" in (reply.text or "") and data_of(reply) == MENU_DATA
    assert await rows(running_bot, ConversationState) == []
    again = await anna.command("cancel")
    assert "Non c'era niente da annullare" in (again.text or "")
    hint = await anna.say("Asia/Tokyo")  # no longer awaited: not taken as a zone
    assert "Usa i pulsanti" in (hint.text or "")


async def test_the_cancel_button_under_a_prompt_clears_the_step_in_place(
    running_bot: Runtime, anna: Person
) -> None:
    await _start_typing_a_zone(anna)
    pressed = await anna.press("cancel")
    assert "Operazione annullata" in (pressed.screen.text or "")
    assert data_of(pressed.screen) == MENU_DATA
    assert await rows(running_bot, ConversationState) == []


async def test_a_stale_step_expires_with_a_polite_note(
    running_bot: Runtime, anna: Person, fake_clock: FakeClock
) -> None:
    await _start_typing_a_zone(anna)
    fake_clock.advance(minutes=31)
    reply = await anna.say("Asia/Tokyo")
    assert "l'operazione è scaduta" in (reply.text or "") and data_of(reply) == MENU_DATA
    (user,) = await rows(running_bot, User)
    assert user.time_zone == "Europe/Rome"
    assert await rows(running_bot, ConversationState) == []


async def test_a_restart_does_not_lose_the_step(
    bot_settings: Settings, emulator: Any, fake_clock: FakeClock
) -> None:
    first = Runtime(bot_settings, clock=fake_clock)
    await first.start()
    try:
        anna = await Person.create(emulator, "Anna")
        await _start_typing_a_zone(anna)
    finally:
        await first.stop()
    second = Runtime(bot_settings, clock=fake_clock)
    await second.start()
    try:
        reply = await anna.say("Asia/Tokyo")
        assert "Fuso orario impostato: Asia/Tokyo" in (reply.text or "")
    finally:
        await second.stop()


async def test_navigating_away_ends_the_step_so_later_text_is_not_taken_as_its_answer(
    running_bot: Runtime, anna: Person
) -> None:
    settings_screen = await anna.command("settings")
    await anna.command("help")
    await anna.press("help:support")  # "write your message for the admins"
    assert [s.kind for s in await rows(running_bot, ConversationState)] == ["support.message"]
    # She changed her mind and went elsewhere, with a button of an older screen.
    await anna.press("set:lang", message_id=settings_screen.message_id)
    assert await rows(running_bot, ConversationState) == []
    later = await anna.say("grazie")
    assert "Usa i pulsanti" in (later.text or "")  # a hint, not "message sent to the admins"
    assert await rows(running_bot, OutboxMessage) == []


async def test_a_command_ends_the_step(running_bot: Runtime, anna: Person) -> None:
    await _start_typing_a_zone(anna)
    await anna.command("help")
    assert await rows(running_bot, ConversationState) == []
    hint = await anna.say("Asia/Tokyo")
    assert "Usa i pulsanti" in (hint.text or "")


async def test_cancel_typed_with_a_capital_letter_cancels_and_says_so(
    running_bot: Runtime, anna: Person
) -> None:
    await _start_typing_a_zone(anna)
    reply = await anna.say("/Cancel")  # phone keyboards capitalise; Telegram commands ignore case
    assert "Operazione annullata" in (reply.text or "") and data_of(reply) == MENU_DATA
    assert await rows(running_bot, ConversationState) == []
