"""getUpdates offsets, allowed_updates, long polling and its conflicts with webhooks."""

import asyncio

import pytest
from telegram.error import Conflict

from adsbot.sandbox.emulator.testing import make_bot
from tests.emulator.helpers import running_receiver

WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


async def test_offset_confirms_earlier_updates(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    for text in ("uno", "due", "tre"):
        await emulator.driver.send_text(user, text)
    updates = await emulator_bot.get_updates()
    assert [u.message.text for u in updates] == ["uno", "due", "tre"]
    assert [u.update_id for u in updates] == [1, 2, 3]
    assert len(await emulator_bot.get_updates()) == 3  # nothing confirmed yet
    assert [u.message.text for u in await emulator_bot.get_updates(offset=3)] == ["tre"]
    assert [u.message.text for u in await emulator_bot.get_updates()] == ["tre"]
    assert await emulator_bot.get_updates(offset=4) == ()
    await emulator.driver.send_text(user, "quattro")
    assert [u.update_id for u in await emulator_bot.get_updates(limit=1)] == [4]


async def test_negative_offset_keeps_the_last_ones(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    for text in ("uno", "due", "tre"):
        await emulator.driver.send_text(user, text)
    assert [u.message.text for u in await emulator_bot.get_updates(offset=-1)] == ["tre"]
    assert len(await emulator_bot.get_updates()) == 1


async def test_long_poll_wakes_on_a_new_update(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    poll = asyncio.create_task(emulator_bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    await emulator.driver.send_text(user, "ciao")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message.text == "ciao"


async def test_long_poll_times_out_empty(emulator_bot):
    assert await emulator_bot.get_updates(timeout=1) == ()


async def test_allowed_updates_filter_new_updates_and_persist(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    await emulator_bot.get_updates(allowed_updates=["callback_query"])
    await emulator.driver.send_text(user, "ignorato")
    assert await emulator_bot.get_updates() == ()
    await emulator_bot.get_updates(allowed_updates=[])  # back to the default set
    await emulator.driver.send_text(user, "visto")
    assert [u.message.text for u in await emulator_bot.get_updates()] == ["visto"]


async def test_a_second_poller_terminates_the_first(emulator, emulator_bot):
    first = asyncio.create_task(emulator_bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with make_bot(emulator) as other:
        second = asyncio.create_task(other.get_updates(timeout=1))
        with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
            await asyncio.wait_for(first, 2)
        await second


async def test_get_updates_conflicts_with_a_webhook(emulator, emulator_bot):
    async with running_receiver() as (_, url):
        assert await emulator_bot.set_webhook(url)
        with pytest.raises(Conflict) as caught:
            await emulator_bot.get_updates()
        assert caught.value.message == WEBHOOK_ACTIVE
        info = await emulator_bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (url, 0)
        assert await emulator_bot.delete_webhook()
    assert await emulator_bot.get_updates() == ()


async def test_setting_a_webhook_ends_a_waiting_poll_with_409(emulator, emulator_bot):
    poll = asyncio.create_task(emulator_bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with running_receiver() as (_, url), make_bot(emulator) as other:
        await other.set_webhook(url)
        with pytest.raises(Conflict, match=r"while webhook is active"):
            await asyncio.wait_for(poll, 2)
        await other.delete_webhook()


async def test_drop_pending_updates(emulator, emulator_bot):
    user = await emulator.driver.create_user()
    await emulator.driver.send_text(user, "uno")
    assert await emulator_bot.delete_webhook()  # keeps the queue by default
    assert (await emulator_bot.get_webhook_info()).pending_update_count == 1
    assert await emulator_bot.delete_webhook(drop_pending_updates=True)
    assert await emulator_bot.get_updates() == ()
