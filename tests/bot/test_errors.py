"""One global error handler: an apology with a reference for the user, the code, update id and
traceback in the log, the inbox row marked failed. Every callback query is answered, also when
its data is stale, forged, too long or from someone else's message."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import pytest

from adsbot.adapters.clock import FakeClock
from adsbot.runtime import Runtime
from adsbot.services import users
from adsbot.storage.models import InboxUpdate, OutboxMessage
from tests.bot.helpers import MENU_DATA, Person, data_of, forge_press, rows, settle


async def _explode(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("boom: internal detail /srv/secret/path")


async def test_a_failing_press_gets_an_apology_with_a_reference_and_the_log_the_rest(
    running_bot: Runtime,
    anna: Person,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await anna.command("settings")
    await anna.press("set:notif")
    monkeypatch.setattr(users, "set_muted", _explode)
    with caplog.at_level(logging.ERROR):
        pressed = await anna.press("set:mute:news:1")
        apology = await anna.driver.wait_for_message(
            anna.id, lambda m: "andato storto" in (m.text or "")
        )
    answer = pressed.answer.answer or {}
    assert answer["show_alert"] is True and "Qualcosa è andato storto" in answer["text"]
    reference = re.search(r"codice (E[0-9A-F]{8})", apology.text or "")
    assert reference is not None
    assert "boom" not in (apology.text or "") and "boom" not in answer["text"]
    await settle(running_bot)
    (record,) = [r for r in caplog.records if reference[1] in r.getMessage()]
    assert record.exc_info is not None and "boom" in str(record.exc_info[1])
    failed = [r for r in await rows(running_bot, InboxUpdate) if r.status == "failed"]
    assert [(r.error_ref, str(r.update_id) in record.getMessage()) for r in failed] == [
        (reference[1], True)
    ]


async def test_a_failing_command_apologises_in_english_for_an_english_user(
    running_bot: Runtime, john: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adsbot.services import conversation

    monkeypatch.setattr(conversation, "clear", _explode)
    reply = await john.command("cancel")
    assert "Something went wrong" in (reply.text or "") and "boom" not in (reply.text or "")


@pytest.mark.parametrize(
    "data",
    ["m:nowhere", "set:lang:xx", "help:secrets", "adm", "x" * 65, "m:home" + "é" * 30, "🙂"],
)
async def test_stale_forged_or_too_long_data_is_answered_and_shows_the_menu(
    running_bot: Runtime, anna: Person, data: str
) -> None:
    menu = await anna.command("start")
    await anna.press("m:help")
    answer = await forge_press(anna, menu, data)
    assert (answer.answer or {})["text"] == "⚠️ Pulsante non più valido"
    screen = await anna.driver.last_message(anna.id)
    assert screen is not None and data_of(screen) == MENU_DATA


async def test_a_press_on_someone_elses_message_is_answered_and_changes_nothing(
    running_bot: Runtime, anna: Person, john: Person
) -> None:
    menu = await anna.command("start")
    pressed = await john.driver.press_button(john.user, anna.id, data="m:settings")
    answer = await john.driver.wait_for_answer(pressed.id)
    assert (answer.answer or {})["text"] == "⚠️ This button is no longer valid"
    (still,) = await anna.bot_messages()
    assert still.message_id == menu.message_id and not still.edited
    assert await john.bot_messages() == []


async def test_an_apology_that_meets_a_5xx_arrives_through_the_outbox(
    running_bot: Runtime,
    john: Person,
    monkeypatch: pytest.MonkeyPatch,
    emulator: Any,
    fake_clock: FakeClock,
) -> None:
    from adsbot.services import conversation

    await john.command("start")
    monkeypatch.setattr(conversation, "clear", _explode)
    await emulator.driver.set_fault("sendMessage", "server_error", status=502, times=1)
    await john.driver.send_command(john.user, "cancel")
    for _ in range(100):
        queued = await rows(running_bot, OutboxMessage)
        if queued:
            break
        await asyncio.sleep(0.02)
    assert [(r.chat_id, r.template_key) for r in queued] == [(john.id, "errors.apology")]
    assert running_bot.components.sender is not None
    running_bot.components.sender.wake()
    apology = await john.driver.wait_for_message(
        john.id, lambda m: "Something went wrong" in (m.text or "")
    )
    assert "boom" not in (apology.text or "")  # English: John's language, rendered at send time


async def test_the_apology_goes_out_even_when_the_press_cannot_be_answered_any_more(
    running_bot: Runtime, anna: Person, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.check_callbacks = False  # this press is meant to stay unanswered
    await anna.command("settings")
    await anna.press("set:notif")
    monkeypatch.setattr(users, "set_muted", _explode)
    # The press was already answered (or is too old): the toast fails, the chat apology must not.
    await anna.driver.set_fault(
        "answerCallbackQuery", "error", status=400, description="Bad Request: query is too old"
    )
    await anna.driver.press_button(anna.user, data="set:mute:news:1")
    apology = await anna.driver.wait_for_message(
        anna.id, lambda m: "andato storto" in (m.text or "")
    )
    assert re.search(r"codice E[0-9A-F]{8}", apology.text or "")
    await anna.driver.clear_faults()
