"""Updates in, end to end: the emulator delivers to the real bot's webhook; the bot answers."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from adsbot.runtime import Runtime
from adsbot.storage.models import InboxUpdate, User
from tests.conftest import WEBHOOK_SECRET


async def _rows(runtime: Runtime, model: Any) -> list[Any]:
    async with runtime.components.db.unit_of_work(read_only=True) as uow:
        return list((await uow.session.execute(select(model))).scalars())


async def test_start_registers_the_user_and_replies_in_italian(
    running_bot: Runtime, emulator: Any
) -> None:
    driver = emulator.driver
    anna = await driver.create_user("Anna", language_code="it")
    await driver.send_command(anna, "start")
    reply = await driver.wait_for_message(anna.id)
    assert "Ciao Anna" in reply.text
    users = await _rows(running_bot, User)
    assert [(u.id, u.first_name, u.language) for u in users] == [(anna.id, "Anna", "it")]
    await running_bot.components.worker.wait_idle(5)
    inbox = await _rows(running_bot, InboxUpdate)
    assert [row.status for row in inbox] == ["done"]


async def test_an_english_user_is_greeted_in_english(running_bot: Runtime, emulator: Any) -> None:
    driver = emulator.driver
    john = await driver.create_user("John", language_code="en-US")
    await driver.send_command(john, "start")
    reply = await driver.wait_for_message(john.id)
    assert "Welcome to" in reply.text and "Hi John" in reply.text


@pytest.mark.parametrize("header", [None, "wrong-secret"])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
    running_bot: Runtime, header: str | None
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "text": "/start",
        },
    }
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"http://127.0.0.1:{running_bot.port}/webhook/telegram", json=update, headers=headers
        )
    assert answer.status_code == 403
    assert await _rows(running_bot, InboxUpdate) == []


async def _post(runtime: Runtime, body: bytes | dict[str, Any]) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{runtime.port}/webhook/telegram"
        if isinstance(body, bytes):
            return await client.post(
                url, content=body, headers={**headers, "Content-Type": "application/json"}
            )
        return await client.post(url, json=body, headers=headers)


async def test_a_duplicate_update_is_handled_once(running_bot: Runtime, emulator: Any) -> None:
    anna = await emulator.driver.create_user("Anna")
    await emulator.driver.send_command(anna, "start")
    await emulator.driver.wait_for_message(anna.id)
    await running_bot.components.worker.wait_idle(5)
    (stored,) = await _rows(running_bot, InboxUpdate)
    again = await _post(running_bot, stored.payload)  # Telegram retrying the same update
    assert again.status_code == 200
    await asyncio.sleep(0.3)
    await running_bot.components.worker.wait_idle(5)
    assert len(await _rows(running_bot, InboxUpdate)) == 1
    messages = await emulator.driver.messages(anna.id)
    assert len([m for m in messages if m.from_bot]) == 1


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"update_id": "7"}', b'{"no_update_id": 1}', b'{"update_id": true}'],
)
async def test_a_malformed_body_is_acknowledged_and_not_stored(
    running_bot: Runtime, body: bytes
) -> None:
    answer = await _post(running_bot, body)
    assert answer.status_code == 200
    assert await _rows(running_bot, InboxUpdate) == []


async def test_an_unparsable_update_is_stored_as_failed(running_bot: Runtime) -> None:
    answer = await _post(running_bot, {"update_id": 55, "message": {"text": "no chat, no date"}})
    assert answer.status_code == 200
    await running_bot.components.worker.wait_idle(5)
    rows = await _rows(running_bot, InboxUpdate)
    assert [(r.update_id, r.status, r.error_ref) for r in rows] == [(55, "failed", "unparsable")]


async def test_health_readiness_and_metrics_answer(running_bot: Runtime, emulator: Any) -> None:
    anna = await emulator.driver.create_user("Anna")
    await emulator.driver.send_command(anna, "start")
    await emulator.driver.wait_for_message(anna.id)
    await running_bot.components.worker.wait_idle(5)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running_bot.port}") as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        metrics = (await client.get("/metrics")).text
    assert 'adsbot_updates_received_total{source="webhook"} 1.0' in metrics
    assert "adsbot_updates_processed_total 1.0" in metrics
    assert 'adsbot_telegram_api_calls_total{method="sendMessage",result="ok"} 1.0' in metrics
    assert 'adsbot_telegram_api_calls_total{method="setWebhook",result="ok"} 1.0' in metrics
    assert "adsbot_handler_seconds_count 1.0" in metrics
    assert "adsbot_inbox_depth 0.0" in metrics
    assert "adsbot_db_transaction_seconds_count" in metrics


async def test_a_failed_update_is_counted_by_kind_not_by_its_reference(
    running_bot: Runtime,
) -> None:
    """The staging plan's health POST: a /start from a chat Telegram does not know fails at the
    reply; the failure counts under a fixed label (its reference code is in the log)."""
    stranger = {"id": 999999, "is_bot": False, "first_name": "Staging"}
    message = {
        "message_id": 1,
        "date": 0,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "chat": {"id": 999999, "type": "private"},
        "from": stranger,
    }
    assert (await _post(running_bot, {"update_id": 1, "message": message})).status_code == 200
    await running_bot.components.worker.wait_idle(5)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running_bot.port}") as client:
        metrics = (await client.get("/metrics")).text
    failed = [
        line for line in metrics.splitlines() if line.startswith("adsbot_updates_failed_total")
    ]
    assert failed == ['adsbot_updates_failed_total{reason="handler"} 1.0'], failed
