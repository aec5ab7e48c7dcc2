"""🛡 Admin: one gate against ADMIN_IDS (everyone else: "⛔ Accesso negato" and an audit row),
the admin menu, and suspending / unsuspending a user by id or @username, audited."""

from __future__ import annotations

from typing import Any

import pytest

from adsbot.adapters.clock import FakeClock
from adsbot.runtime import Runtime
from adsbot.storage.models import AuditLog, ConversationState, OutboxMessage, User
from tests.bot.helpers import ADMIN_ID, MENU_DATA, Person, data_of, forge_press, rows, settle

ADMIN_ENTRIES = [
    "adm:users", "adm:chan", "adm:orders", "adm:disp", "adm:wd", "adm:stats", "adm:ledger",
    "adm:audit", "adm:jobs", "adm:bcast", "m:home",
]  # fmt: skip


async def test_a_non_admin_is_denied_and_audited(running_bot: Runtime, anna: Person) -> None:
    reply = await anna.command("admin")
    assert reply.text == "⛔ Accesso negato" and reply.buttons == []
    menu = await anna.command("start")
    answer = await forge_press(anna, menu, "adm:users")
    assert answer.answer == {
        "text": "⛔ Accesso negato", "show_alert": True, "url": None, "cache_time": 0
    }  # fmt: skip
    denied = await rows(running_bot, AuditLog, AuditLog.action == "admin.denied")
    assert [(a.actor_id, a.target) for a in denied] == [(anna.id, "/admin"), (anna.id, "adm:users")]
    assert all(a.created_at is not None for a in denied)


async def test_a_non_admin_pressing_an_unknown_admin_button_is_denied_not_told_it_is_stale(
    running_bot: Runtime, john: Person
) -> None:
    menu = await john.command("start")
    answer = await forge_press(john, menu, "adm:whatever")
    assert (answer.answer or {})["text"] == "⛔ Access denied"


async def test_the_admin_menu_lists_its_entries_and_later_ones_say_in_arrivo(
    running_bot: Runtime, admin: Person
) -> None:
    menu = await admin.command("admin")
    assert data_of(menu) == ADMIN_ENTRIES
    pressed = await admin.press("adm:wd")
    assert "Prelievi</b> è in arrivo" in pressed.screen.html
    assert data_of(pressed.screen) == ADMIN_ENTRIES


async def _open_suspend(admin: Person) -> None:
    """Admin → Users → Suspend: the bot now asks who."""
    await admin.command("admin")
    await admin.press("adm:users")
    await admin.press("adm:susp")


async def _suspend(admin: Person, who: str, reason: str, hours: int) -> str:
    await _open_suspend(admin)
    asked = await admin.say(who)
    assert "Motivo della sospensione" in (asked.text or ""), asked.text
    durations = await admin.say(reason)
    assert data_of(durations) == [
        "adm:dur:1",
        "adm:dur:24",
        "adm:dur:168",
        "adm:dur:720",
        "adm:dur:8760",
        "cancel",
    ]
    done = await admin.press(f"adm:dur:{hours}")
    return done.screen.text or ""


async def test_an_admin_suspends_by_username_and_the_user_is_told_once_an_hour(
    running_bot: Runtime, admin: Person, anna: Person, fake_clock: FakeClock
) -> None:
    await anna.command("start")
    done = await _suspend(admin, "@Anna_IT", "spam <ripetuto>", 24)
    assert "Anna" in done and "sospeso fino al 6 gen 2026, 10:00" in done
    (stored,) = await rows(running_bot, User, User.id == anna.id)
    assert stored.suspension_reason == "spam <ripetuto>"
    (entry,) = await rows(running_bot, AuditLog, AuditLog.action == "user.suspend")
    assert (entry.actor_id, entry.target, entry.details["reason"]) == (
        ADMIN_ID,
        f"user:{anna.id}",
        "spam <ripetuto>",
    )

    notice = await anna.command("start")
    assert "sospeso fino al <b>6 gen 2026, 10:00</b>" in notice.html
    assert "Motivo: spam <ripetuto>" in (notice.text or "") and notice.buttons == []
    before = len(await anna.bot_messages())
    await anna.driver.send_text(anna.user, "ciao")
    pressed = await anna.press("m:settings")  # the old menu still has buttons: answered
    assert (pressed.answer.answer or {})["text"] == "⛔ Account sospeso"
    assert len(await anna.bot_messages()) == before  # nothing else happened
    fake_clock.advance(hours=1, seconds=1)
    again = await anna.say("ciao")
    assert "sospeso" in (again.text or "")


async def test_an_admin_unsuspends_by_id_and_the_user_is_back(
    running_bot: Runtime, admin: Person, anna: Person
) -> None:
    await anna.command("start")
    await _suspend(admin, str(anna.id), "test", 1)
    await anna.command("start")  # told
    await admin.command("admin")
    await admin.press("adm:users")
    await admin.press("adm:unsusp")
    done = await admin.say(str(anna.id))
    assert "di nuovo attivo" in (done.text or "")
    assert [a.action for a in await rows(running_bot, AuditLog)][-1] == "user.unsuspend"
    told = await anna.driver.wait_for_message(anna.id)  # from the outbox, in Italian
    assert "sospensione del tuo account è stata revocata" in (told.text or "")
    reply = await anna.command("start")
    assert data_of(reply) == MENU_DATA


async def _unsuspend(admin: Person, who: str) -> str:
    await admin.command("admin")
    await admin.press("adm:users")
    await admin.press("adm:unsusp")
    return (await admin.say(who)).text or ""


async def test_a_user_whose_suspension_is_lifted_is_told_once_in_their_language(
    running_bot: Runtime, admin: Person, john: Person
) -> None:
    await john.command("start")
    await _suspend(admin, "@john_en", "test", 24)
    assert "suspended" in ((await john.command("start")).text or "")
    assert "di nuovo attivo" in await _unsuspend(admin, "@john_en")
    told = await john.driver.wait_for_message(john.id)
    assert told.text == (
        "✅ Your account's suspension has been lifted: you can use the bot again. "
        "Send /start for the menu."
    )
    (row,) = await rows(running_bot, OutboxMessage, OutboxMessage.chat_id == john.id)
    assert (row.template_key, row.lane) == ("suspended.lifted", 0)
    # Lifting it again (nothing running) tells nobody anything more.
    await _unsuspend(admin, "@john_en")
    assert len(await rows(running_bot, OutboxMessage, OutboxMessage.chat_id == john.id)) == 1


@pytest.mark.parametrize("who", ["@nobody_here", "12345", "not a user"])
async def test_an_unknown_user_is_asked_again(
    running_bot: Runtime, admin: Person, who: str
) -> None:
    await _open_suspend(admin)
    reply = await admin.say(who)
    assert "Nessun utente trovato" in (reply.text or "") and data_of(reply) == ["cancel"]


@pytest.mark.parametrize("start", ["adm:susp", "adm:unsusp"])
@pytest.mark.parametrize("who", ["²", "99999999999999999999", "-9223372036854775809", "x" * 4096])
async def test_an_odd_reference_is_asked_again_not_answered_with_the_generic_error(
    running_bot: Runtime, admin: Person, start: str, who: str
) -> None:
    await admin.command("admin")
    await admin.press("adm:users")
    await admin.press(start)
    reply = await admin.say(who)
    assert "Nessun utente trovato" in (reply.text or "") and data_of(reply) == ["cancel"]
    assert len(reply.text or "") < 300


async def test_an_admin_cannot_be_suspended(running_bot: Runtime, admin: Person) -> None:
    await _open_suspend(admin)
    reply = await admin.say(str(ADMIN_ID))
    assert "non possono essere sospesi" in (reply.text or "")


async def test_a_duration_button_without_the_steps_before_it_is_stale(
    running_bot: Runtime, admin: Person, emulator: Any
) -> None:
    menu = await admin.command("admin")
    answer = await forge_press(admin, menu, "adm:dur:24")
    assert (answer.answer or {})["text"] == "⚠️ Pulsante non più valido"
    assert await rows(running_bot, AuditLog, AuditLog.action == "user.suspend") == []


async def test_the_audit_log_screen_shows_the_newest_rows(
    running_bot: Runtime, admin: Person, anna: Person
) -> None:
    await anna.command("admin")  # denied: one audit row
    await admin.command("admin")
    pressed = await admin.press("adm:audit")
    assert "L'ultima azione" in (pressed.screen.text or "")
    assert f"{anna.id} · admin.denied · /admin" in (pressed.screen.text or "")


async def test_a_suspended_user_cannot_run_a_command_by_editing_an_old_message(
    running_bot: Runtime, admin: Person, anna: Person
) -> None:
    await anna.command("start")
    sent = await anna.driver.send_text(anna.user, "ciao")
    await settle(running_bot)
    await _suspend(admin, "@Anna_IT", "spam", 24)
    before = await anna.bot_messages()
    await anna.driver.edit_text(anna.user, sent.message_id, "/support")
    await settle(running_bot)
    after = await anna.bot_messages()
    assert not any("supporto" in (m.text or "").lower() for m in after[len(before) :])
    assert await rows(running_bot, ConversationState, ConversationState.user_id == anna.id) == []


async def test_an_edited_message_is_not_a_new_command(running_bot: Runtime, anna: Person) -> None:
    await anna.command("start")
    sent = await anna.driver.send_text(anna.user, "ciao")
    await settle(running_bot)
    before = len(await anna.bot_messages())
    await anna.driver.edit_text(anna.user, sent.message_id, "/support")
    await settle(running_bot)
    assert len(await anna.bot_messages()) == before
    assert await rows(running_bot, ConversationState, ConversationState.user_id == anna.id) == []


async def test_admin_in_a_group_shows_nothing_there_and_writes_no_audit_row(
    running_bot: Runtime, admin: Person, emulator: Any
) -> None:
    group = await emulator.driver.create_chat("Gruppo")
    await emulator.driver.send_text(admin.user, "/admin", chat_id=group["id"])
    await settle(running_bot)
    chat = await emulator.driver.chat(group["id"])
    assert [m for m in chat["messages"] if m.get("from_bot")] == []
    assert await rows(running_bot, AuditLog, AuditLog.action == "admin.denied") == []


async def _durations_for(admin: Person, who: str) -> Any:
    await _open_suspend(admin)
    await admin.say(who)
    return await admin.say("spam")


async def test_a_double_tap_on_a_duration_suspends_once_and_keeps_the_confirmation(
    running_bot: Runtime, admin: Person, anna: Person
) -> None:
    from adsbot.sandbox.emulator.actions import user_presses

    await anna.command("start")
    screen = await _durations_for(admin, "@anna_it")
    state = admin.emulator.state
    taps = [  # both taps reach Telegram before the bot has handled the first
        user_presses(state, admin.id, admin.id, message_id=screen.message_id, data="adm:dur:24")
        for _ in range(2)
    ]
    answers = [await admin.driver.wait_for_answer(tap.id) for tap in taps]
    assert [(a.answer or {}).get("text") for a in answers] == [
        "✅ Fatto",
        "⚠️ Pulsante non più valido",
    ]
    await settle(running_bot)
    shown = await admin.driver.last_message(admin.id)
    assert shown is not None and "è sospeso fino al" in (shown.text or "")
    assert len(await rows(running_bot, AuditLog, AuditLog.action == "user.suspend")) == 1


async def test_a_forged_duration_with_a_non_ascii_digit_is_stale_not_an_error(
    running_bot: Runtime, admin: Person, anna: Person
) -> None:
    await anna.command("start")
    screen = await _durations_for(admin, "@anna_it")
    answer = await forge_press(admin, screen, "adm:dur:²")
    assert (answer.answer or {})["text"] == "⚠️ Pulsante non più valido"
    assert await rows(running_bot, AuditLog, AuditLog.action == "user.suspend") == []


async def test_an_old_duration_button_pressed_while_asked_who_ends_that_dialogue(
    running_bot: Runtime, admin: Person, anna: Person
) -> None:
    await anna.command("start")
    old = await _durations_for(admin, "@anna_it")
    await _open_suspend(admin)  # now asked "who"
    answer = await admin.driver.press_button(
        admin.user, data="adm:dur:24", message_id=old.message_id
    )
    assert ((await admin.driver.wait_for_answer(answer.id)).answer or {})["text"] == (
        "⚠️ Pulsante non più valido"
    )
    await settle(running_bot)
    assert await rows(running_bot, ConversationState) == []
    assert await rows(running_bot, AuditLog, AuditLog.action == "user.suspend") == []


async def test_an_admin_finds_a_user_by_the_username_they_have_now(
    running_bot: Runtime, admin: Person, anna: Person, people: Any, emulator: Any
) -> None:
    await anna.command("start")
    emulator.state.user(anna.id).username = "anna_new"  # renamed in Telegram
    await anna.command("help")  # any contact refreshes it, not only /start
    bea = await people("Bea", username="anna_it", language_code="it")  # takes the old name
    await bea.command("help")
    await _open_suspend(admin)
    asked = await admin.say("@anna_new")
    assert f"Anna ({anna.id})" in (asked.text or ""), asked.text
    await _open_suspend(admin)
    asked = await admin.say("@anna_it")
    assert f"Bea ({bea.id})" in (asked.text or ""), asked.text


async def test_a_username_passed_on_goes_to_whoever_reported_it_last(
    running_bot: Runtime, admin: Person, people: Any, emulator: Any, fake_clock: FakeClock
) -> None:
    """Bea takes @olga_it after Olga gave it up without writing to us since: the newer report
    wins, whatever the ids."""
    bea = await people("Bea", username="bea_it", language_code="it")
    await bea.command("start")
    olga = await people("Olga", username="olga_it", language_code="it")  # a higher id
    await olga.command("start")
    emulator.state.user(olga.id).username = "olga_new"  # Olga renames; she does not write
    fake_clock.advance(minutes=1)
    emulator.state.user(bea.id).username = "olga_it"
    await bea.command("help")
    await _open_suspend(admin)
    asked = await admin.say("@olga_it")
    assert f"Bea ({bea.id})" in (asked.text or ""), asked.text
