"""⚙️ Impostazioni: language, time zone (short list or a typed IANA name), notifications to mute.

m:settings            the settings screen        /settings sends it
set:lang / :<code>    choose / set the language
set:tz / :<zone>      choose / set a time zone from the short list
set:tzt               type a zone name (step `settings.tz`)
set:notif             notification categories
set:mute:<category>:<1|0>   mute (1) or unmute (0) one: the wanted state, not a toggle
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from adsbot.bot.deps import BotDeps
from adsbot.bot.formatting import format_when
from adsbot.bot.handlers.common import (
    PRIVATE_MESSAGES,
    Context,
    Press,
    Screen,
    StalePress,
    Steps,
    current_user,
    on_press,
    send,
    show,
)
from adsbot.bot.i18n import LANGUAGES, t
from adsbot.bot.keyboards import button, cancel_only, pairs, raw_button, with_back
from adsbot.domain.notifications import MUTABLE_CATEGORIES
from adsbot.services import conversation, users
from adsbot.services.conversation import State
from adsbot.services.users import UserView

SETTINGS = "m:settings"
TZ_STEP = "settings.tz"
# The short list; anything else is typed.
ZONES: tuple[str, ...] = (
    "Europe/Rome",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Madrid",
    "America/New_York",
    "UTC",
)


def settings_screen(deps: BotDeps, user: UserView, note: str | None = None) -> Screen:
    lang = user.language
    # Only categories still offered: one removed later has no label left (and mutes nothing).
    known = [c for c in user.muted_categories if c in MUTABLE_CATEGORIES]
    muted = ", ".join(t(lang, f"settings.category.{c}") for c in known)
    text = t(
        lang,
        "settings.title",
        language=t(lang, f"settings.language_name.{lang}"),
        zone=user.time_zone,
        local_time=format_when(deps.clock.now(), lang, user.time_zone),
        muted=muted or t(lang, "settings.none_muted"),
    )
    if note:
        text = f"{note}\n\n{text}"
    rows = pairs(
        [
            button(lang, "settings.language", "set:lang"),
            button(lang, "settings.time_zone", "set:tz"),
            button(lang, "settings.notifications", "set:notif"),
        ]
    )
    return Screen(text, with_back(lang, rows))


def language_screen(user: UserView) -> Screen:
    lang = user.language
    choices = [
        button(lang, f"settings.language_name.{code}", f"set:lang:{code}") for code in LANGUAGES
    ]
    return Screen(t(lang, "settings.choose_language"), with_back(lang, [choices], SETTINGS))


def zone_screen(user: UserView) -> Screen:
    lang = user.language
    rows = pairs([raw_button(zone, f"set:tz:{zone}") for zone in ZONES])
    rows.append([button(lang, "settings.type_zone", "set:tzt")])
    text = t(lang, "settings.choose_zone", zone=user.time_zone)
    return Screen(text, with_back(lang, rows, SETTINGS))


def notifications_screen(user: UserView) -> Screen:
    lang = user.language
    rows = []
    for category in MUTABLE_CATEGORIES:
        muted = category in user.muted_categories
        state = "muted" if muted else "audible"
        label = t(lang, f"settings.category.{category}")
        # The button carries the state it asks for, so an older screen cannot undo a newer press.
        data = f"set:mute:{category}:{0 if muted else 1}"
        rows.append([button(lang, f"settings.toggle.{state}", data, label=label)])
    return Screen(t(lang, "settings.notifications_title"), with_back(lang, rows, SETTINGS))


def register(application: Application, deps: BotDeps, steps: Steps) -> None:  # type: ignore[type-arg]
    db = deps.db

    async def open_settings(update: Update, context: Context, press: Press) -> None:
        await show(deps, update, context, settings_screen(deps, press.user))

    async def language(update: Update, context: Context, press: Press) -> str | None:
        parts = press.parts
        if len(parts) == 2:
            await show(deps, update, context, language_screen(press.user))
            return None
        if len(parts) != 3 or parts[2] not in LANGUAGES:
            raise StalePress
        user = await users.set_language(db, press.user.id, parts[2])
        note = t(user.language, "settings.language_set")
        await show(deps, update, context, settings_screen(deps, user, note))
        return note

    async def zone(update: Update, context: Context, press: Press) -> str | None:
        name = press.data.removeprefix("set:tz")
        if not name:
            # The screen invites typing a name too: typed text is its answer from now on.
            await conversation.begin(db, press.user.id, TZ_STEP, deps.clock.now())
            await show(deps, update, context, zone_screen(press.user))
            return None
        if not name.startswith(":") or not users.valid_time_zone(name[1:]):
            raise StalePress
        user = await users.set_time_zone(db, press.user.id, name[1:])
        note = t(user.language, "settings.zone_set", zone=user.time_zone)
        await show(deps, update, context, settings_screen(deps, user, note))
        return None

    async def type_zone(update: Update, context: Context, press: Press) -> None:
        await conversation.begin(db, press.user.id, TZ_STEP, deps.clock.now())
        prompt = Screen(t(press.language, "settings.type_zone_prompt"), cancel_only(press.language))
        await show(deps, update, context, prompt)

    async def typed_zone(
        update: Update, context: Context, user: UserView, _state: State, text: str | None
    ) -> None:
        if text is None or not users.valid_time_zone(text):
            screen = Screen(t(user.language, "settings.zone_invalid"), cancel_only(user.language))
            await send(deps, update, context, screen)  # still waiting: the step stays
            return
        updated = await users.set_time_zone(db, user.id, text)  # ends the step too
        note = t(updated.language, "settings.zone_set", zone=updated.time_zone)
        await send(deps, update, context, settings_screen(deps, updated, note))

    async def notifications(update: Update, context: Context, press: Press) -> None:
        await show(deps, update, context, notifications_screen(press.user))

    async def mute(update: Update, context: Context, press: Press) -> None:
        # set:mute:<category>:<1|0>; the old toggling set:mute:<category> is answered as stale.
        parts = press.parts
        if len(parts) != 4 or parts[2] not in MUTABLE_CATEGORIES or parts[3] not in ("0", "1"):
            raise StalePress
        user = await users.set_muted(db, press.user.id, parts[2], parts[3] == "1")
        await show(deps, update, context, notifications_screen(user))

    async def command(update: Update, context: Context) -> None:
        user = await current_user(deps, update)
        if user is not None:
            await send(deps, update, context, settings_screen(deps, user))

    for pattern, handler in (
        (f"^{SETTINGS}$", open_settings),
        (r"^set:lang(:|$)", language),
        (r"^set:tz(:|$)", zone),
        (r"^set:tzt$", type_zone),
        (r"^set:notif$", notifications),
        (r"^set:mute:", mute),
    ):
        application.add_handler(
            CallbackQueryHandler(on_press(deps, handler), pattern=pattern, block=True)
        )
    application.add_handler(
        CommandHandler("settings", command, filters=PRIVATE_MESSAGES, block=True)
    )
    steps.add(TZ_STEP, typed_zone, presses=("set:tz",))
