"""The driver against a tiny python-telegram-bot bot, fed by webhook or by its own polling."""

import asyncio
import contextlib

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from adsbot.sandbox.emulator.runner import serve_asgi
from adsbot.sandbox.emulator.testing import TEST_TOKEN

SECRET = "hook_secret"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Mercato", callback_data="m:1")]])
    await update.effective_message.reply_html("<b>Benvenuto</b>", reply_markup=markup)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("Apro il mercato")
    await query.edit_message_text(f"Hai scelto {query.data}")


def build_app(emu) -> Application:
    app = (
        Application.builder()
        .token(TEST_TOKEN)
        .base_url(emu.api_url)
        .base_file_url(emu.file_url)
        .updater(None)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


async def conversation(emu) -> None:
    driver = emu.driver
    user = await driver.create_user("Giulia", language_code="it")
    await driver.send_command(user, "start")
    welcome = await driver.wait_for_message(user.chat_id, timeout=3)
    assert welcome.html == "<b>Benvenuto</b>"
    assert welcome.button_labels == ["Mercato"]
    press = await driver.press_button(user, label="Mercato")
    answered = await driver.wait_for_answer(press.id, timeout=3)
    assert answered.answer["text"] == "Apro il mercato"
    edited = await driver.last_message(user.chat_id)
    for _ in range(100):
        if edited.edited:
            break
        edited = await driver.last_message(user.chat_id)
    assert (edited.text, edited.buttons) == ("Hai scelto m:1", [])
    await driver.assert_callbacks_answered()


async def test_a_webhook_bot_talks_to_the_driver(emulator):
    app = build_app(emulator)

    async def webhook(request: Request) -> Response:
        if request.headers.get("x-telegram-bot-api-secret-token") != SECRET:
            return Response(status_code=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return Response()

    receiver = Starlette(routes=[Route("/telegram", webhook, methods=["POST"])])
    async with app, serve_asgi(receiver) as port:
        await app.bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token=SECRET)
        await app.start()
        try:
            await conversation(emulator)
        finally:
            await app.stop()
            await app.bot.delete_webhook()


async def test_a_polling_bot_talks_to_the_driver(emulator):
    app = build_app(emulator)
    async with app:
        await app.start()
        offset = 0

        async def poll() -> None:
            nonlocal offset
            while True:
                for update in await app.bot.get_updates(offset=offset, timeout=1):
                    offset = update.update_id + 1
                    await app.process_update(update)

        poller = asyncio.create_task(poll())
        try:
            await conversation(emulator)
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
            await app.stop()


async def test_wait_for_message_reads_each_message_once(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    await emulator.driver.send_command(user, "start")
    await emulator_bot.send_message(user.id, "uno")
    await emulator_bot.send_message(user.id, "due")
    assert (await emulator.driver.wait_for_message(user.id)).text == "uno"
    assert (await emulator.driver.wait_for_message(user.id)).text == "due"
    with pytest.raises(TimeoutError):
        await emulator.driver.wait_for_message(user.id, timeout=0.2)


async def test_events_stream_for_the_sandbox_page(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    await emulator.driver.send_command(user, "start")
    _, last = await emulator.driver.events(0)
    sent = await emulator_bot.send_message(user.id, "uno")
    await emulator_bot.edit_message_text("due", user.id, sent.message_id)
    await emulator_bot.delete_message(user.id, sent.message_id)
    new, _ = await emulator.driver.events(last, timeout=1)
    assert [e["type"] for e in new] == ["message", "edited_message", "deleted_message"]
    assert new[1]["message"]["text"] == "due"
