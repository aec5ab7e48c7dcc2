"""Every object PTB parses from the emulator has empty api_kwargs; the token never reaches logs."""

import logging
import os
import subprocess
import sys

import httpx
import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    TelegramObject,
)

from adsbot.sandbox.emulator.testing import TEST_TOKEN
from tests.emulator.helpers import PNG, running_receiver, started_user


def unknown_fields(obj: object, path: str = "result") -> list[str]:
    found: list[str] = []
    if isinstance(obj, TelegramObject):
        if obj.api_kwargs:
            found.append(f"{path}: {dict(obj.api_kwargs)}")
        for name, value in obj._get_attrs(recursive=False).items():
            found += unknown_fields(value, f"{path}.{name}")
    elif isinstance(obj, (list, tuple)):
        for index, item in enumerate(obj):
            found += unknown_fields(item, f"{path}[{index}]")
    return found


async def test_every_method_answers_objects_ptb_fully_understands(emulator, emulator_bot):
    bot = emulator_bot
    user = await started_user(emulator)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sì", callback_data="yes")]])
    results: dict[str, object] = {"getMe": await bot.get_me()}
    results["getUpdates"] = await bot.get_updates()
    text = await bot.send_message(user.id, "<b>a</b>", parse_mode="HTML", reply_markup=markup)
    results["sendMessage"] = text
    photo = await bot.send_photo(user.id, PNG, caption="<i>c</i>", parse_mode="HTML")
    results["sendPhoto"] = photo
    results["sendDocument"] = await bot.send_document(user.id, b"doc", filename="a.txt")
    results["getFile"] = await bot.get_file(photo.photo[-1].file_id)
    results["editMessageText"] = await bot.edit_message_text(
        "b", user.id, text.message_id, reply_markup=markup
    )
    results["editMessageReplyMarkup"] = await bot.edit_message_reply_markup(
        user.id, text.message_id
    )
    results["editMessageCaption"] = await bot.edit_message_caption(
        user.id, photo.message_id, caption="d"
    )
    results["copyMessage"] = await bot.copy_message(user.id, user.id, photo.message_id)
    await bot.edit_message_reply_markup(user.id, text.message_id, reply_markup=markup)
    press = await emulator.driver.press_button(user, data="yes")
    updates = await bot.get_updates(offset=results["getUpdates"][-1].update_id + 1)
    results["getUpdates (callback)"] = updates
    results["answerCallbackQuery"] = await bot.answer_callback_query(press.id)
    results["deleteMessage"] = await bot.delete_message(user.id, text.message_id)
    results["setMyCommands"] = await bot.set_my_commands([BotCommand("start", "Inizia")])
    results["getMyCommands"] = await bot.get_my_commands()
    results["setMyDescription"] = await bot.set_my_description("d")
    results["getMyDescription"] = await bot.get_my_description()
    results["getMyShortDescription"] = await bot.get_my_short_description()
    results["getMyName"] = await bot.get_my_name()
    results["setChatMenuButton"] = await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    results["getChatMenuButton"] = await bot.get_chat_menu_button()
    results["sendChatAction"] = await bot.send_chat_action(user.id, "typing")
    results["getChat"] = await bot.get_chat(user.id)
    async with running_receiver() as (_, url):
        results["setWebhook"] = await bot.set_webhook(url, secret_token="x")
        results["getWebhookInfo"] = await bot.get_webhook_info()
        results["deleteWebhook"] = await bot.delete_webhook()
    problems = [p for name, value in results.items() for p in unknown_fields(value, name)]
    assert problems == []


async def test_logs_never_show_the_token(emulator, emulator_bot, caplog):
    caplog.set_level(logging.DEBUG)
    user = await started_user(emulator)
    await emulator_bot.send_message(user.id, "ciao")
    async with httpx.AsyncClient() as client:
        await client.get(f"{emulator.api_url}{TEST_TOKEN}/noSuchMethod")
    emulator_records = [r for r in caplog.records if r.name.startswith("adsbot.sandbox")]
    assert any("/bot<token>/sendMessage" in r.getMessage() for r in emulator_records)
    secret = TEST_TOKEN.split(":")[1]
    assert not [r for r in emulator_records if secret in r.getMessage()]


@pytest.mark.slow
def test_runs_as_its_own_process():
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen(
        [sys.executable, "-m", "adsbot.sandbox.emulator", "--port", "0", "--no-rate-limits"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stderr.readline()
        assert "Emulator listening on http://127.0.0.1:" in line
        base = line.strip().rsplit(" ", 1)[-1]
        answer = httpx.get(f"{base}/bot{TEST_TOKEN}/getMe", timeout=5).json()
        assert answer["result"]["username"] == "adsbot_test_bot"
        assert (
            httpx.post(f"{base}/_emu/users", json={"first_name": "G"}, timeout=5).status_code == 200
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        rest = process.stderr.read()
        process.stderr.close()
    assert TEST_TOKEN.split(":")[1] not in rest
