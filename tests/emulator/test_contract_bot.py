"""getMe, commands, descriptions, menu button, getChat, tokens and unknown methods."""

import httpx
import pytest
from telegram import BotCommand, MenuButtonCommands
from telegram.error import BadRequest, EndPointNotFound, InvalidToken

from adsbot.sandbox.emulator.testing import make_bot
from tests.emulator.helpers import started_user


async def test_get_me_describes_the_registered_bot(emulator, emulator_bot):
    me = await emulator_bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456789, True, "adsbot_test_bot")
    emulator.register_bot("555:other", username="altro_bot", first_name="Altro")
    async with make_bot(emulator, "555:other") as other:
        assert (other.username, other.first_name) == ("altro_bot", "Altro")


async def test_any_well_formed_token_creates_a_bot_on_first_use(emulator):
    async with make_bot(emulator, "777:fresh") as bot:
        assert bot.username == "adsbot_test_777_bot"  # adsbot_test_bot is taken


async def test_wrong_secret_for_a_known_bot_is_unauthorized(emulator):
    with pytest.raises(InvalidToken, match=r"was rejected by the server"):
        async with make_bot(emulator, "123456789:wrong"):
            pass
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{emulator.api_url}123456789:wrong/getMe")
    assert answer.status_code == 401
    assert answer.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_malformed_token_and_unknown_method_are_not_found(emulator):
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{emulator.api_url}not-a-token/getMe")
        assert (answer.status_code, answer.json()["description"]) == (404, "Not Found")
    async with make_bot(emulator) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")


async def test_commands_per_language(emulator_bot):
    it = [BotCommand("start", "Inizia"), BotCommand("help", "Aiuto")]
    en = [BotCommand("start", "Start")]
    assert await emulator_bot.set_my_commands(it)
    assert await emulator_bot.set_my_commands(en, language_code="en")
    assert await emulator_bot.get_my_commands() == tuple(it)
    assert await emulator_bot.get_my_commands(language_code="en") == tuple(en)
    with pytest.raises(BadRequest, match=r"Bot_command_invalid"):
        await emulator_bot.set_my_commands([BotCommand("Start!", "x")])
    assert await emulator_bot.delete_my_commands(language_code="en")
    assert await emulator_bot.get_my_commands(language_code="en") == ()


async def test_descriptions_and_menu_button(emulator_bot):
    assert await emulator_bot.set_my_description("Il mercato dei post")
    assert await emulator_bot.set_my_description("The post market", language_code="en")
    assert (await emulator_bot.get_my_description()).description == "Il mercato dei post"
    assert (await emulator_bot.get_my_description("en")).description == "The post market"
    assert await emulator_bot.set_my_short_description("Breve")
    assert (await emulator_bot.get_my_short_description()).short_description == "Breve"
    with pytest.raises(BadRequest):
        await emulator_bot.set_my_description("x" * 513)
    assert await emulator_bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert isinstance(await emulator_bot.get_chat_menu_button(), MenuButtonCommands)


async def test_get_chat(emulator, emulator_bot):
    user = await started_user(emulator)
    chat = await emulator_bot.get_chat(user.id)
    assert (chat.type, chat.first_name) == ("private", "Giulia")
    channel = await emulator.driver.create_chat("Annunci", type="channel", username="annunci_it")
    found = await emulator_bot.get_chat("@annunci_it")
    assert (found.id, found.title, found.type) == (channel["id"], "Annunci", "channel")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await emulator_bot.get_chat(-100999)
    stranger = await emulator.driver.create_user("Luca")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await emulator_bot.get_chat(stranger.id)


async def test_chat_action(emulator, emulator_bot):
    user = await started_user(emulator)
    assert await emulator_bot.send_chat_action(user.id, "typing")
