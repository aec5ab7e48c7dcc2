"""❓ Aiuto: a screen for publishers and one for advertisers, terms and privacy from the operator's
file, /paysupport, and /support relaying the next message to the admins through the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from adsbot.adapters.clock import FakeClock
from adsbot.runtime import Runtime
from adsbot.storage.models import AuditLog, ConversationState, OutboxMessage
from tests.bot.helpers import ADMIN_ID, MENU_DATA, Person, data_of, forge_press, rows

HELP = ["help:pub", "help:adv", "help:support", "help:terms", "help:privacy", "m:home"]


async def test_help_explains_both_sides_in_a_screen_each(
    running_bot: Runtime, anna: Person
) -> None:
    screen = await anna.command("help")
    assert "mercato dei post sponsorizzati" in (screen.text or "") and data_of(screen) == HELP
    publishers = await anna.press("help:pub")
    assert "Per gli editori" in (publishers.screen.text or "")
    assert data_of(publishers.screen) == ["m:help"]
    await anna.press("m:help")
    advertisers = await anna.press("help:adv")
    assert "Per gli inserzionisti" in (advertisers.screen.text or "")


async def test_help_in_english(running_bot: Runtime, john: Person) -> None:
    await john.command("start")
    await john.press("m:help")
    pressed = await john.press("help:pub")
    assert "For publishers" in (pressed.screen.text or "")


@pytest.mark.parametrize(
    ("command", "language_code", "expected"),
    [
        ("terms", "it", "Termini di servizio"),
        ("privacy", "it", "Informativa sulla privacy"),
        ("terms", "en", "Terms of service"),
        ("privacy", "en", "Privacy notice"),
    ],
)
async def test_terms_and_privacy_show_the_operators_texts(
    running_bot: Runtime, people: Any, command: str, language_code: str, expected: str
) -> None:
    who: Person = await people("Reader", language_code=language_code)
    reply = await who.command(command)
    assert expected in (reply.text or "") and "[Nome dell'operatore / Operator name]" in (
        reply.text or ""
    )


async def test_paysupport_answers(running_bot: Runtime, anna: Person) -> None:
    reply = await anna.command("paysupport")
    assert "Assistenza pagamenti" in (reply.text or "")


async def test_support_relays_the_next_message_to_the_admins_through_the_outbox(
    running_bot: Runtime, anna: Person, admin: Person
) -> None:
    await admin.command("start")
    prompt = await anna.command("support")
    assert "Scrivi il tuo messaggio per il supporto" in (prompt.text or "")
    sent = await anna.say("Il mio ordine <b>42</b> non è partito")
    assert "Messaggio inviato al supporto" in (sent.text or "") and data_of(sent) == MENU_DATA
    (queued,) = await rows(running_bot, OutboxMessage)
    assert (queued.chat_id, queued.template_key) == (ADMIN_ID, "support.to_admin")
    assert queued.params["text"] == "Il mio ordine <b>42</b> non è partito"
    assert await rows(running_bot, ConversationState) == []
    relayed = await admin.driver.wait_for_message(
        admin.id, lambda m: "Supporto" in (m.text or ""), timeout=10
    )
    assert "Supporto" in (relayed.text or "") and "<b>42</b>" in (relayed.text or "")  # escaped


async def test_a_fourth_support_message_within_ten_minutes_is_refused_politely(
    running_bot: Runtime, anna: Person, fake_clock: FakeClock
) -> None:
    for n in range(3):
        await anna.command("support")
        sent = await anna.say(f"messaggio {n}")
        assert "Messaggio inviato" in (sent.text or "")
    await anna.command("support")
    refused = await anna.say("messaggio 3")
    assert "già scritto più volte" in (refused.text or "")
    assert len(await rows(running_bot, OutboxMessage)) == 3  # one admin, three relays
    assert await rows(running_bot, ConversationState) == []
    fake_clock.advance(minutes=10, seconds=1)
    await anna.command("support")
    assert "Messaggio inviato" in ((await anna.say("di nuovo")).text or "")


async def test_support_from_the_help_screen_and_cancelled(
    running_bot: Runtime, john: Person
) -> None:
    await john.command("help")
    prompt = await john.press("help:support")
    assert "Write your message for support" in (prompt.screen.text or "")
    cancelled = await john.press("cancel")
    assert "Cancelled." in (cancelled.screen.text or "")
    assert await rows(running_bot, OutboxMessage) == []


@pytest.fixture
def bot_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"ADMIN_IDS": ""} if "no_admins" in request.node.name else {}


async def test_support_without_admins_configured_says_so_no_admins(
    running_bot: Runtime, anna: Person
) -> None:
    await anna.command("support")
    reply = await anna.say("aiuto")
    assert "non è configurato" in (reply.text or "")


async def test_a_relayed_message_names_the_user_without_an_empty_username(
    running_bot: Runtime, admin: Person, people: Any
) -> None:
    await admin.command("start")
    zed = await people("Zed", language_code="it")
    await zed.command("support")
    await zed.say("ciao")
    relayed = await admin.driver.wait_for_message(
        admin.id, lambda m: "Supporto" in (m.text or ""), timeout=10
    )
    assert f"Supporto da Zed ({zed.id}):" in (relayed.text or "")


async def test_an_admin_answers_a_support_message_and_the_user_gets_it_here(
    running_bot: Runtime, anna: Person, admin: Person, people: Any
) -> None:
    await admin.command("start")
    await anna.command("support")
    await anna.say("Dove vedo i miei ordini?")
    relayed = await admin.driver.wait_for_message(
        admin.id, lambda m: "Supporto" in (m.text or ""), timeout=10
    )
    assert data_of(relayed) == [f"adm:reply:{anna.id}"]
    assert relayed.button_labels == ["↩️ Rispondi"]
    prompt = await admin.press(f"adm:reply:{anna.id}", message_id=relayed.message_id)
    assert f"Scrivi la risposta per Anna ({anna.id})" in (prompt.screen.text or "")
    done = await admin.say("Nel menu <Le mie campagne>")
    assert f"Risposta inviata a Anna ({anna.id})" in (done.text or "")
    answer = await anna.driver.wait_for_message(
        anna.id, lambda m: "Risposta dal supporto" in (m.text or ""), timeout=10
    )
    assert "Nel menu <Le mie campagne>" in (answer.text or "")  # escaped, shown as typed
    (entry,) = await rows(running_bot, AuditLog, AuditLog.action == "support.answer")
    assert (entry.actor_id, entry.target) == (ADMIN_ID, f"user:{anna.id}")
    assert await rows(running_bot, ConversationState) == []
    # Anyone else pressing a Reply button is denied (the admin gate), and nothing is sent.
    intruder = await people("Eve", language_code="it")
    menu = await intruder.command("start")
    denied = await forge_press(intruder, menu, f"adm:reply:{anna.id}")
    assert (denied.answer or {})["text"] == "⛔ Accesso negato"
    for forged in ("adm:reply:9" * 3, "adm:reply:" + "9" * 19, "adm:reply:0"):
        stale = await forge_press(admin, relayed, forged)
        assert (stale.answer or {})["text"] == "⚠️ Pulsante non più valido", forged
