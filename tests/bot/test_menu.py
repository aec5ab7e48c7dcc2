"""The main menu: keyed entries, "in arrivo" for features not built yet, deep links, and
navigation that edits the message in place with a way back everywhere."""

from __future__ import annotations

import pytest

from adsbot.runtime import Runtime
from tests.bot.helpers import MENU_DATA, Person, data_of

NOT_BUILT = ["market", "campaigns", "channels", "wallet", "stats"]


@pytest.mark.parametrize("key", NOT_BUILT)
async def test_an_entry_not_built_yet_says_in_arrivo_and_shows_the_menu_in_place(
    running_bot: Runtime, anna: Person, key: str
) -> None:
    menu = await anna.command("start")
    pressed = await anna.press(f"m:{key}")
    assert pressed.answer.answer == {
        "text": "🚧 In arrivo", "show_alert": False, "url": None, "cache_time": 0
    }  # fmt: skip
    assert pressed.screen.message_id == menu.message_id and pressed.screen.edited
    assert "è in arrivo" in (pressed.screen.text or "")
    assert data_of(pressed.screen) == MENU_DATA


async def test_an_english_user_reads_coming_soon_in_english(
    running_bot: Runtime, john: Person
) -> None:
    await john.command("start")
    pressed = await john.press("m:wallet")
    assert (pressed.answer.answer or {})["text"] == "🚧 Coming soon"
    assert "💰 Wallet</b> is coming soon" in pressed.screen.html


async def test_wallet_command_is_coming_soon_too(running_bot: Runtime, anna: Person) -> None:
    reply = await anna.command("wallet")
    assert "Wallet è in arrivo" in (reply.text or "") and data_of(reply) == MENU_DATA


async def test_back_returns_to_the_main_menu_in_the_same_message(
    running_bot: Runtime, anna: Person
) -> None:
    menu = await anna.command("start")
    settings = await anna.press("m:settings")
    assert settings.screen.message_id == menu.message_id
    assert "m:home" in data_of(settings.screen)
    back = await anna.press("m:home")
    assert back.screen.message_id == menu.message_id
    assert data_of(back.screen) == MENU_DATA
    assert len(await anna.bot_messages()) == 1  # navigation piled up no messages


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("ch_-1001234567890", "link del canale -1001234567890"),
        ("ord_42", "link dell'ordine 42"),
        ("camp_7", "link della campagna 7"),
    ],
)
async def test_a_deep_link_is_explained_politely(
    running_bot: Runtime, anna: Person, payload: str, expected: str
) -> None:
    reply = await anna.command("start", payload)
    assert expected in (reply.text or "") and data_of(reply) == MENU_DATA


async def test_a_deep_link_in_english(running_bot: Runtime, john: Person) -> None:
    reply = await john.command("start", "ord_42")
    assert "link of order 42" in (reply.text or "")


@pytest.mark.parametrize(
    "payload",
    [
        "ch_", "ord_abc", "camp_1_2", "x" * 64, "ch_99999999999999999999",
        "ord_-5", "ord_0", "ord_007", "camp_-1", "ch_42", "ch_-9999999999999999999", "ord_²",
    ],
)  # fmt: skip
async def test_a_malformed_deep_link_is_ignored_with_the_menu(
    running_bot: Runtime, anna: Person, payload: str
) -> None:
    reply = await anna.command("start", payload)
    assert "link" not in (reply.text or "") and "Menu principale" in (reply.text or "")
    assert data_of(reply) == MENU_DATA


async def test_admins_see_the_admin_entry(running_bot: Runtime, admin: Person) -> None:
    reply = await admin.command("start")
    assert data_of(reply) == [*MENU_DATA, "m:admin"]
    assert "🛡 Admin" in reply.button_labels


async def test_start_keeps_the_language_the_user_chose(running_bot: Runtime, anna: Person) -> None:
    await anna.command("start")
    await anna.press("m:settings")
    await anna.press("set:lang")
    await anna.press("set:lang:en")
    again = await anna.command("start")  # Telegram still says "it"
    assert "Hi Anna" in (again.text or "")
