"""Webhook delivery: secret header, allowed_updates, order and retries like Telegram's."""

import asyncio

from tests.emulator.helpers import running_receiver


async def wait_until(condition, timeout=3.0):
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_updates_are_posted_with_the_secret(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    async with running_receiver() as (receiver, url):
        await emulator_bot.set_webhook(url, secret_token="s3cret_-token")
        await emulator.driver.send_text(user, "ciao")
        await wait_until(lambda: receiver.received)
        update, secret = receiver.received[0]
        assert secret == "s3cret_-token"
        assert update["message"]["text"] == "ciao"
        await emulator_bot.delete_webhook()


async def test_no_secret_means_no_header(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    async with running_receiver() as (receiver, url):
        await emulator_bot.set_webhook(url)
        await emulator.driver.send_text(user, "ciao")
        await wait_until(lambda: receiver.received)
        assert receiver.received[0][1] is None
        await emulator_bot.delete_webhook()


async def test_failed_deliveries_are_retried_in_order(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    async with running_receiver() as (receiver, url):
        receiver.statuses = [500, 502]
        await emulator_bot.set_webhook(url)
        await emulator.driver.send_text(user, "uno")
        await emulator.driver.send_text(user, "due")
        await wait_until(lambda: len(receiver.received) == 4)
        texts = [update["message"]["text"] for update, _ in receiver.received]
        assert texts == ["uno", "uno", "uno", "due"]
        info = await emulator_bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
        await emulator_bot.delete_webhook()


async def test_allowed_updates_and_dropping_on_set_webhook(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    await emulator.driver.send_text(user, "vecchio")
    async with running_receiver() as (receiver, url):
        await emulator_bot.set_webhook(
            url, allowed_updates=["callback_query"], drop_pending_updates=True
        )
        await emulator.driver.send_text(user, "filtrato")
        await asyncio.sleep(0.2)
        assert receiver.received == []
        assert (await emulator_bot.get_webhook_info()).allowed_updates == ("callback_query",)
        await emulator_bot.delete_webhook()


async def test_an_unreachable_webhook_keeps_updates_pending(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    await emulator_bot.set_webhook("http://127.0.0.1:9/hook")
    await emulator.driver.send_text(user, "ciao")
    await asyncio.sleep(0.2)
    info = await emulator_bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message.startswith("Connection failed")
    await emulator_bot.delete_webhook()
    assert [u.message.text for u in await emulator_bot.get_updates()] == ["ciao"]
