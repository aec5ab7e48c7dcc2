"""Acting as a person in tests: type, press, read what the bot shows."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from adsbot.runtime import Runtime
from adsbot.sandbox.emulator.driver import EmulatorDriver
from adsbot.sandbox.emulator.views import CallbackView, MessageView, UserRef

ADMIN_ID = 900_000_001
MENU_DATA = ["m:market", "m:campaigns", "m:channels", "m:wallet", "m:stats", "m:settings", "m:help"]


@dataclass
class Pressed:
    answer: CallbackView
    screen: MessageView  # the bot's newest message after the press (edited or new)


@dataclass
class Person:
    emulator: Any
    user: UserRef

    @classmethod
    async def create(cls, emulator: Any, name: str, **kwargs: Any) -> Person:
        return cls(emulator, await emulator.driver.create_user(name, **kwargs))

    @property
    def driver(self) -> EmulatorDriver:
        driver: EmulatorDriver = self.emulator.driver
        return driver

    @property
    def id(self) -> int:
        return self.user.id

    async def _newest_id(self) -> int:
        messages = await self.driver.messages(self.id)
        return messages[-1].message_id if messages else 0

    async def say(self, text: str, timeout: float = 5.0) -> MessageView:
        """Send text and return the bot's next new message."""
        before = await self._newest_id()
        await self.driver.send_text(self.user, text)
        return await self.driver.wait_for_message(
            self.id, lambda m: m.message_id > before, timeout=timeout
        )

    async def command(self, name: str, args: str = "") -> MessageView:
        return await self.say("/" + name + (f" {args}" if args else ""))

    async def press(
        self, data: str | None = None, *, label: str | None = None, message_id: int | None = None
    ) -> Pressed:
        """Press a button (newest message having it) and wait until the bot answered."""
        pressed = await self.driver.press_button(
            self.user, data=data, label=label, message_id=message_id
        )
        answer = await self.driver.wait_for_answer(pressed.id)
        screen = await self.driver.last_message(self.id)
        assert screen is not None
        return Pressed(answer, screen)

    async def bot_messages(self) -> list[MessageView]:
        return await self.driver.messages(self.id)


def data_of(message: MessageView) -> list[str]:
    return [str(b["callback_data"]) for b in message.buttons if "callback_data" in b]


async def rows(runtime: Runtime, model: Any, *where: Any) -> list[Any]:
    async with runtime.components.db.unit_of_work(read_only=True) as uow:
        return list((await uow.session.execute(select(model).where(*where))).scalars())


async def settle(runtime: Runtime) -> None:
    """Let the inbox worker finish whatever it is handling."""
    await asyncio.sleep(0.05)
    await runtime.components.worker.wait_idle(5)


async def forge_press(person: Person, message: MessageView, data: str) -> CallbackView:
    """A callback query with arbitrary data on a real message (what a modified client can send):
    the emulator records it, so the bot's answer is checked like any other."""
    from adsbot.sandbox.emulator.actions import user_presses

    state = person.emulator.state
    target = state.message(message.chat_id, message.message_id)
    original = target.content.reply_markup
    # Put a button with the forged data on the message for the press, then restore it.
    target.content.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
    try:
        record = user_presses(
            state, person.id, message.chat_id, message_id=message.message_id, data=data
        )
    finally:
        target.content.reply_markup = original
    return await person.driver.wait_for_answer(record.id)
