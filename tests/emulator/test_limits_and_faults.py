"""Flood limits (429 with retry_after) and failures injected on purpose."""

import asyncio
from datetime import timedelta

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from adsbot.sandbox.emulator.testing import make_bot
from tests.emulator.helpers import started_user


async def test_private_chat_allows_a_small_burst_then_429(emulator, emulator_bot, fake_clock):
    await emulator.driver.set_rate_limits(enabled=True)
    user = await started_user(emulator)
    for n in range(3):
        await emulator_bot.send_message(user.id, f"msg {n}")
    with pytest.raises(RetryAfter) as caught:
        await emulator_bot.send_message(user.id, "troppo")
    assert caught.value.retry_after == timedelta(seconds=1)
    fake_clock.advance(seconds=1)
    await emulator_bot.send_message(user.id, "di nuovo")


async def test_429_body_matches_telegram(emulator, fake_clock):
    await emulator.driver.set_rate_limits(enabled=True)
    user = await started_user(emulator)
    import httpx

    url = f"{emulator.api_url}{emulator.state.default_bot().token}/sendMessage"
    async with httpx.AsyncClient() as client:
        for _ in range(3):
            await client.post(url, data={"chat_id": user.id, "text": "x"})
        answer = await client.post(url, data={"chat_id": user.id, "text": "x"})
    assert answer.status_code == 429
    assert answer.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


async def test_groups_get_twenty_a_minute(emulator, emulator_bot, fake_clock):
    await emulator.driver.set_rate_limits(enabled=True, global_=False)
    group = await emulator.driver.create_chat("Gruppo")
    for n in range(20):
        await emulator_bot.send_message(group["id"], f"msg {n}")
    with pytest.raises(RetryAfter) as caught:
        await emulator_bot.send_message(group["id"], "troppo")
    assert caught.value.retry_after == timedelta(seconds=3)
    fake_clock.advance(seconds=3)
    await emulator_bot.send_message(group["id"], "ok")


async def test_global_limit_spans_chats_and_scale_loosens_it(emulator, emulator_bot):
    await emulator.driver.set_rate_limits(enabled=True, private=False)
    users = [await started_user(emulator, f"U{n}") for n in range(31)]
    for user in users[:30]:
        await emulator_bot.send_message(user.id, "x")
    with pytest.raises(RetryAfter):
        await emulator_bot.send_message(users[30].id, "x")
    await emulator.driver.set_rate_limits(enabled=False)
    await emulator_bot.send_message(users[30].id, "x")
    described = await emulator.driver.set_rate_limits(enabled=True, scale=10)
    assert described["scale"] == 10


async def test_invalid_requests_do_not_use_up_the_limit(emulator, emulator_bot):
    await emulator.driver.set_rate_limits(enabled=True)
    user = await started_user(emulator)
    for _ in range(5):
        with pytest.raises(BadRequest):
            await emulator_bot.send_message(user.id, "")
    await emulator_bot.send_message(user.id, "ok")


async def test_injected_failures(emulator, emulator_bot):
    user = await started_user(emulator)
    other = await started_user(emulator, "Anna")
    await emulator.driver.set_fault("sendMessage", "retry_after", retry_after=7, times=1)
    with pytest.raises(RetryAfter) as caught:
        await emulator_bot.send_message(user.id, "x")
    assert caught.value.retry_after == timedelta(seconds=7)
    await emulator_bot.send_message(user.id, "passa")

    await emulator.driver.set_fault("sendMessage", "blocked", chat_id=user.id)
    await emulator_bot.send_message(other.id, "altra chat: passa")
    for _ in range(2):
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
            await emulator_bot.send_message(user.id, "x")
    await emulator.driver.clear_faults()
    await emulator_bot.send_message(user.id, "di nuovo")

    await emulator.driver.set_fault("*", "server_error", status=502, times=1)
    with pytest.raises(NetworkError, match=r"Bad Gateway"):
        await emulator_bot.get_me()
    await emulator_bot.get_me()


async def test_a_hanging_method_times_the_client_out(emulator):
    user = await started_user(emulator)
    await emulator.driver.set_fault("sendMessage", "timeout", times=1, hang_seconds=5)
    async with make_bot(emulator, timeout=0.3) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "x")
        await asyncio.sleep(0)
        assert (await bot.send_message(user.id, "y")).text == "y"
