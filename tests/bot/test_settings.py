"""⚙️ Impostazioni: language, time zone (list or typed, validated) and muted categories, stored."""

from __future__ import annotations

from sqlalchemy import update

from adsbot.runtime import Runtime
from adsbot.storage.models import ConversationState, User
from tests.bot.helpers import Person, data_of, rows


async def _user(runtime: Runtime, person: Person) -> User:
    (found,) = await rows(runtime, User, User.id == person.id)
    return found


async def test_settings_show_language_zone_and_local_time(
    running_bot: Runtime, anna: Person
) -> None:
    screen = await anna.command("settings")
    text = screen.text or ""
    assert "Lingua: 🇮🇹 Italiano" in text and "Fuso orario: Europe/Rome" in text
    assert "ora locale 5 gen 2026, 10:00" in text  # the fake clock's 09:00 UTC, in Rome
    assert data_of(screen) == ["set:lang", "set:tz", "set:notif", "m:home"]


async def test_english_settings_use_english_dates(running_bot: Runtime, john: Person) -> None:
    text = (await john.command("settings")).text or ""
    assert "Language: 🇬🇧 English" in text and "local time 5 Jan 2026, 10:00" in text


async def test_changing_the_language_redraws_in_the_new_language_and_is_stored(
    running_bot: Runtime, anna: Person
) -> None:
    await anna.command("settings")
    await anna.press("set:lang")
    pressed = await anna.press("set:lang:en")
    assert (pressed.answer.answer or {})["text"] == "✅ Language updated."
    assert "⚙️ Settings" in (pressed.screen.text or "")
    assert (await _user(running_bot, anna)).language == "en"


async def test_a_zone_from_the_list_is_stored(running_bot: Runtime, anna: Person) -> None:
    await anna.command("settings")
    await anna.press("set:tz")
    pressed = await anna.press("set:tz:America/New_York")
    assert "Fuso orario impostato: America/New_York" in (pressed.screen.text or "")
    assert "ora locale 5 gen 2026, 04:00" in (pressed.screen.text or "")
    assert (await _user(running_bot, anna)).time_zone == "America/New_York"


async def test_a_typed_zone_is_validated_then_stored(running_bot: Runtime, anna: Person) -> None:
    await anna.command("settings")
    await anna.press("set:tz")
    prompt = await anna.press("set:tzt")
    assert "nome IANA" in (prompt.screen.text or "") and data_of(prompt.screen) == ["cancel"]
    for wrong in ("Mars/Olympus", "../../etc/passwd", "europe/rome"):
        refused = await anna.say(wrong)
        assert "Non conosco questo fuso orario" in (refused.text or "")
    assert (await _user(running_bot, anna)).time_zone == "Europe/Rome"
    done = await anna.say("Asia/Tokyo")
    assert "Fuso orario impostato: Asia/Tokyo" in (done.text or "")
    assert (await _user(running_bot, anna)).time_zone == "Asia/Tokyo"
    after = await anna.say("Europe/Paris")  # the step is over: plain text again
    assert "Usa i pulsanti" in (after.text or "")


async def test_muting_a_category_toggles_and_is_stored(running_bot: Runtime, john: Person) -> None:
    await john.command("settings")
    screen = (await john.press("set:notif")).screen
    assert "🔔 Platform news" in screen.button_labels
    muted = await john.press("set:mute:news:1")
    assert "🔕 Platform news" in muted.screen.button_labels
    assert (await _user(running_bot, john)).muted_categories == ["news"]
    settings = await john.press("m:settings")
    assert "Muted notifications: Platform news" in (settings.screen.text or "")
    await john.press("set:notif")
    await john.press("set:mute:news:0")
    assert (await _user(running_bot, john)).muted_categories == []


async def test_a_mute_button_on_an_older_screen_does_what_its_label_says(
    running_bot: Runtime, john: Person
) -> None:
    await john.command("settings")
    older = (await john.press("set:notif")).screen
    await john.command("settings")
    await john.press("set:notif")
    await john.press(label="🔔 Platform news")  # the newest screen: muted
    assert (await _user(running_bot, john)).muted_categories == ["news"]
    # The older screen still says "audible, press to mute": pressing it keeps the category muted.
    again = await john.press(label="🔔 Platform news", message_id=older.message_id)
    assert "🔕 Platform news" in again.screen.button_labels
    assert (await _user(running_bot, john)).muted_categories == ["news"]


async def test_a_forged_setting_is_refused_and_changes_nothing(
    running_bot: Runtime, anna: Person
) -> None:
    from tests.bot.helpers import forge_press

    menu = await anna.command("settings")
    for data in (
        "set:lang:fr",
        "set:tz:Mars/Olympus",
        "set:mute:everything:1",
        "set:mute:news",  # the old toggling format, still on screens sent before
        "set:mute:news:2",
    ):
        answer = await forge_press(anna, menu, data)
        assert (answer.answer or {})["text"] == "⚠️ Pulsante non più valido"
    user = await _user(running_bot, anna)
    assert (user.language, user.time_zone, user.muted_categories) == ("it", "Europe/Rome", [])


async def test_a_muted_category_no_longer_offered_is_left_out_of_the_settings_screen(
    running_bot: Runtime, john: Person
) -> None:
    await john.command("start")
    async with running_bot.components.db.unit_of_work() as uow:
        stored = ["news", "retired_category"]
        await uow.session.execute(
            update(User).where(User.id == john.id).values(muted_categories=stored)
        )
        await uow.commit()
    text = (await john.command("settings")).text or ""
    assert "Muted notifications: Platform news" in text and "retired" not in text


async def test_a_zone_that_is_no_place_is_refused(running_bot: Runtime, anna: Person) -> None:
    """`localtime` (the server's own zone), `Factory` and bare aliases are in the tz database
    but name no place where a user lives."""
    await anna.command("settings")
    await anna.press("set:tz")
    await anna.press("set:tzt")
    for wrong in ("localtime", "Factory", "EST", "posix/Europe/Rome"):
        refused = await anna.say(wrong)
        assert "Non conosco questo fuso orario" in (refused.text or ""), wrong
    assert (await _user(running_bot, anna)).time_zone == "Europe/Rome"
    done = await anna.say("UTC")
    assert "Fuso orario impostato: UTC" in (done.text or "")


async def test_a_zone_name_typed_on_the_zone_screen_is_taken(
    running_bot: Runtime, anna: Person
) -> None:
    await anna.command("settings")
    screen = (await anna.press("set:tz")).screen
    assert "scrivine il nome" in (screen.text or "")
    done = await anna.say("Asia/Tokyo")
    assert "Fuso orario impostato: Asia/Tokyo" in (done.text or "")
    assert (await _user(running_bot, anna)).time_zone == "Asia/Tokyo"


async def test_picking_a_zone_from_the_list_ends_the_typing_step(
    running_bot: Runtime, anna: Person
) -> None:
    older = await anna.command("settings")
    await anna.press("set:tz", message_id=older.message_id)  # a zone list stays on screen
    newer = await anna.command("settings")
    await anna.press("set:tz", message_id=newer.message_id)
    await anna.press("set:tzt", message_id=newer.message_id)  # now waiting for a typed name
    await anna.press("set:tz:Europe/London", message_id=older.message_id)
    assert (await _user(running_bot, anna)).time_zone == "Europe/London"
    assert await rows(running_bot, ConversationState) == []
    hint = await anna.say("ciao")
    assert "Usa i pulsanti" in (hint.text or "")


async def test_a_stored_zone_this_machine_cannot_load_still_opens_the_settings(
    running_bot: Runtime, anna: Person
) -> None:
    await anna.command("start")
    async with running_bot.components.db.unit_of_work() as uow:
        await uow.session.execute(
            update(User).where(User.id == anna.id).values(time_zone="Gone/Zone")
        )
        await uow.commit()
    screen = await anna.command("settings")
    assert "Gone/Zone" in (screen.text or "") and "set:tz" in data_of(screen)
