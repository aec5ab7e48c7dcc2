"""🛡 Admin: every admin command, button and typed step is registered through `_gated`, the one
check against ADMIN_IDS. Anyone else gets "⛔ Accesso negato" and an audit row (who, what, when).

    /admin, adm:home       the admin menu
    adm:users              users: suspend, unsuspend
    adm:susp               suspend: who (step) → why (step) → how long (adm:dur:<hours>)
    adm:unsusp             unsuspend: who (step)
    adm:audit              the newest audit rows
    adm:reply:<user id>    answer a /support message: the text (step) goes to that user
    adm:<entry>            entries of later features ("in arrivo")
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from adsbot.bot.deps import BotDeps
from adsbot.bot.formatting import format_when
from adsbot.bot.handlers.common import (
    PRIVATE_MESSAGES,
    Callback,
    Context,
    Press,
    Screen,
    StalePress,
    StepHandler,
    Steps,
    answer,
    current_user,
    on_press,
    person_of,
    send,
    show,
)
from adsbot.bot.i18n import t
from adsbot.bot.keyboards import button, cancel_only, pairs, with_back
from adsbot.services import audit, conversation, support, users
from adsbot.services.conversation import State
from adsbot.services.users import CannotSuspend, UserNotFound, UserView

ADMIN_HOME = "adm:home"
USERS = "adm:users"
WHO, WHY, HOW_LONG, UNSUSPEND_WHO, REPLY = (
    "admin.suspend.who",
    "admin.suspend.why",
    "admin.suspend.how_long",
    "admin.unsuspend.who",
    "admin.support.reply",
)
_REPLY_DATA = re.compile(r"adm:reply:([1-9][0-9]{0,18})", re.ASCII)
# Entries of features built later: they answer "in arrivo" and show the admin menu again.
LATER = ("chan", "orders", "disp", "wd", "stats", "ledger", "jobs", "bcast")
DURATIONS_HOURS = (1, 24, 168, 720, 8760)
_DURATION_OF_DATA = {f"adm:dur:{hours}": hours for hours in DURATIONS_HOURS}
MAX_REASON = 300
MAX_ECHO = 64  # a reference echoed back in "no user found": enough to spot a typo, never too long


def _echo(text: str | None) -> str:
    reference = (text or "").strip()
    return reference if len(reference) <= MAX_ECHO else reference[: MAX_ECHO - 1] + "…"


def admin_menu(language: str, note: str | None = None) -> Screen:
    entries = ["users", *LATER[:6], "audit", *LATER[6:]]
    buttons = [button(language, f"admin.entry.{e}", f"adm:{e}") for e in entries]
    text = t(language, "admin.title")
    return Screen(f"{note}\n\n{text}" if note else text, with_back(language, pairs(buttons)))


def users_menu(language: str, note: str | None = None) -> Screen:
    rows = [
        [
            button(language, "admin.users.suspend", "adm:susp"),
            button(language, "admin.users.unsuspend", "adm:unsusp"),
        ]
    ]
    text = t(language, "admin.users.title")
    return Screen(f"{note}\n\n{text}" if note else text, with_back(language, rows, ADMIN_HOME))


def durations(language: str) -> Screen:
    rows = pairs(
        [button(language, f"admin.duration.h{h}", f"adm:dur:{h}") for h in DURATIONS_HOURS]
    )
    rows.append([button(language, "nav.cancel", "cancel")])
    return Screen(t(language, "admin.suspend.ask_duration"), InlineKeyboardMarkup(rows))


def register(application: Application, deps: BotDeps, steps: Steps) -> None:  # type: ignore[type-arg]
    db = deps.db

    async def deny(update: Update, context: Context, what: str) -> None:
        person = person_of(update)
        actor = person.id if person else None
        await audit.record_alone(db, actor, "admin.denied", what[:128], {}, deps.clock.now())
        user = await current_user(deps, update)
        language = user.language if user else deps.settings.DEFAULT_LANGUAGE
        text = t(language, "admin.denied")
        if update.callback_query is not None:
            await answer(update.callback_query, text, alert=True)
        else:
            await send(deps, update, context, Screen(text))

    def _gated(callback: Callback, what: Callable[[Update], str]) -> Callback:
        """The one admin check: ADMIN_IDS, read on every update (never cached per user)."""

        async def gated(update: Update, context: Context) -> None:
            user = update.effective_user
            if user is None or user.id not in deps.settings.ADMIN_IDS:
                await deny(update, context, what(update))
                return
            await callback(update, context)

        return gated

    def gated_step(step: StepHandler) -> StepHandler:
        async def gated(
            update: Update, context: Context, user: UserView, state: State, text: str | None
        ) -> None:
            if user.id not in deps.settings.ADMIN_IDS:
                await conversation.clear(db, user.id)
                await deny(update, context, f"step:{state.kind}")
                return
            await step(update, context, user, state, text)

        return gated

    def add_press(
        pattern: str, handler: Callable[[Update, Context, Press], Awaitable[str | None]]
    ) -> None:
        def data_of(update: Update) -> str:
            query = update.callback_query
            return str(query.data) if query else "?"

        application.add_handler(
            CallbackQueryHandler(
                _gated(on_press(deps, handler), data_of), pattern=pattern, block=True
            )
        )

    # --- screens --------------------------------------------------------------------------

    async def command(update: Update, context: Context) -> None:
        user = await current_user(deps, update)
        if user is not None:
            await send(deps, update, context, admin_menu(user.language))

    async def open_home(update: Update, context: Context, press: Press) -> None:
        await show(deps, update, context, admin_menu(press.language))

    async def open_users(update: Update, context: Context, press: Press) -> None:
        await show(deps, update, context, users_menu(press.language))

    async def later(update: Update, context: Context, press: Press) -> str:
        entry = press.data.removeprefix("adm:")
        feature = t(press.language, f"admin.entry.{entry}")
        note = t(press.language, "soon.note", feature=feature)
        await show(deps, update, context, admin_menu(press.language, note))
        return t(press.language, "soon.toast")

    async def audit_log(update: Update, context: Context, press: Press) -> None:
        lang, zone = press.language, press.user.time_zone
        lines = [
            t(
                lang,
                "admin.audit.line",
                when=format_when(e.created_at, lang, zone),
                actor=str(e.actor_id or "—"),
                action=e.action,
                target=e.target or "—",
            )
            for e in await audit.recent(db, 15)
        ]
        text = (
            "\n".join([t(lang, "admin.audit.title", count=len(lines)), *lines])
            if lines
            else t(lang, "admin.audit.empty")
        )
        await show(deps, update, context, Screen(text, with_back(lang, [], ADMIN_HOME)))

    # --- suspend / unsuspend ----------------------------------------------------------------

    async def ask(update: Update, context: Context, press: Press, kind: str, key: str) -> None:
        await conversation.begin(db, press.user.id, kind, deps.clock.now())
        await show(
            deps, update, context, Screen(t(press.language, key), cancel_only(press.language))
        )

    async def start_suspend(update: Update, context: Context, press: Press) -> None:
        await ask(update, context, press, WHO, "admin.suspend.ask_who")

    async def start_unsuspend(update: Update, context: Context, press: Press) -> None:
        await ask(update, context, press, UNSUSPEND_WHO, "admin.unsuspend.ask_who")

    async def reprompt(
        update: Update, context: Context, user: UserView, key: str, **params: object
    ) -> None:
        await send(
            deps,
            update,
            context,
            Screen(t(user.language, key, **params), cancel_only(user.language)),
        )

    async def suspend_who(
        update: Update, context: Context, user: UserView, _state: State, text: str | None
    ) -> None:
        try:
            target = await users.find(db, text or "")
        except UserNotFound:
            await reprompt(update, context, user, "admin.user_not_found", reference=_echo(text))
            return
        if target.id == user.id or target.id in deps.settings.ADMIN_IDS:
            await reprompt(update, context, user, "admin.suspend.not_admins")
            return
        await conversation.begin(db, user.id, WHY, deps.clock.now(), {"target": target.id})
        await reprompt(
            update, context, user, "admin.suspend.ask_why", name=target.first_name, id=target.id
        )

    async def suspend_why(
        update: Update, context: Context, user: UserView, state: State, text: str | None
    ) -> None:
        if not text:
            await reprompt(update, context, user, "admin.suspend.ask_why_again")
            return
        data = {**state.data, "reason": text[:MAX_REASON]}
        await conversation.begin(db, user.id, HOW_LONG, deps.clock.now(), data)
        await send(deps, update, context, durations(user.language))

    async def suspend_how_long(
        update: Update, context: Context, user: UserView, _state: State, _text: str | None
    ) -> None:
        await send(deps, update, context, durations(user.language))  # a button, please

    async def duration(update: Update, context: Context, press: Press) -> str:
        hours = _DURATION_OF_DATA.get(press.data)
        now = deps.clock.now()
        state = await conversation.current(db, press.user.id)
        if hours is None:
            raise StalePress
        if state is None or state.kind != HOW_LONG or state.expired(now):
            # Most often a second tap: the first one suspended and showed the result.
            raise StalePress(keep_screen=True)
        try:
            target = await users.suspend(
                db,
                actor_id=press.user.id,
                target_id=int(state.data["target"]),
                reason=str(state.data["reason"]),
                until=now + timedelta(hours=hours),
                now=now,
                protected_ids=frozenset(deps.settings.ADMIN_IDS),
            )
        except (UserNotFound, CannotSuspend, KeyError, ValueError):
            await conversation.clear(db, press.user.id)
            raise StalePress from None
        assert target.suspended_until is not None
        note = t(
            press.language,
            "admin.suspend.done",
            name=target.first_name,
            id=target.id,
            until=format_when(target.suspended_until, press.language, press.user.time_zone),
        )
        await show(deps, update, context, users_menu(press.language, note))
        return t(press.language, "admin.done_toast")

    async def unsuspend_who(
        update: Update, context: Context, user: UserView, _state: State, text: str | None
    ) -> None:
        try:
            target = await users.find(db, text or "")
            target = await users.unsuspend(
                db, actor_id=user.id, target_id=target.id, now=deps.clock.now()
            )
        except UserNotFound:
            await reprompt(update, context, user, "admin.user_not_found", reference=_echo(text))
            return
        note = t(user.language, "admin.unsuspend.done", name=target.first_name, id=target.id)
        await send(deps, update, context, users_menu(user.language, note))

    # --- answering /support ---------------------------------------------------------------

    async def start_reply(update: Update, context: Context, press: Press) -> None:
        match = _REPLY_DATA.fullmatch(press.data)
        if match is None:
            raise StalePress
        try:
            target = await users.find(db, match[1])  # checks the id fits 64 bits
        except UserNotFound:
            raise StalePress from None
        await conversation.begin(db, press.user.id, REPLY, deps.clock.now(), {"target": target.id})
        lang = press.language
        prompt = t(lang, "admin.reply.ask", name=target.first_name, id=target.id)
        # A new message: the relayed one stays readable above it.
        await send(deps, update, context, Screen(prompt, cancel_only(lang)))

    async def reply_typed(
        update: Update, context: Context, user: UserView, state: State, text: str | None
    ) -> None:
        if not text:
            await reprompt(update, context, user, "admin.reply.ask_again")
            return
        target_id = int(state.data["target"])
        name = await support.answer_user(
            db, admin_id=user.id, user_id=target_id, text=text, now=deps.clock.now()
        )
        if name is not None:
            note = t(user.language, "admin.reply.done", name=name, id=target_id)
        else:
            note = t(user.language, "admin.reply.gone")
        await send(deps, update, context, admin_menu(user.language, note))

    application.add_handler(
        CommandHandler(
            "admin", _gated(command, lambda _u: "/admin"), filters=PRIVATE_MESSAGES, block=True
        )
    )
    add_press(f"^({ADMIN_HOME}|m:admin)$", open_home)  # m:admin: the main menu entry
    add_press(f"^{USERS}$", open_users)
    add_press(r"^adm:susp$", start_suspend)
    add_press(r"^adm:unsusp$", start_unsuspend)
    add_press(r"^adm:dur:", duration)
    add_press(r"^adm:audit$", audit_log)
    add_press(r"^adm:reply:", start_reply)
    add_press(f"^adm:({'|'.join(LATER)})$", later)
    add_press(r"^adm:", _unknown_admin_press)
    # Only the last step has buttons of its own: an old duration button pressed while the bot
    # asks who or why ends that dialogue (and is answered as stale).
    steps.add(WHO, gated_step(suspend_who))
    steps.add(WHY, gated_step(suspend_why))
    steps.add(HOW_LONG, gated_step(suspend_how_long), presses=("adm:dur:",))
    steps.add(UNSUSPEND_WHO, gated_step(unsuspend_who))
    steps.add(REPLY, gated_step(reply_typed))


async def _unknown_admin_press(_update: Update, _context: Context, _press: Press) -> None:
    """Any other `adm:` data: behind the gate too (a non-admin is denied, not told it is stale)."""
    raise StalePress
