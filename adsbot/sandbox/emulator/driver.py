"""Act as Telegram users against a running emulator, through its `/_emu` control API.

Works the same whether the emulator runs in this process or in another one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import httpx

from adsbot.sandbox.emulator.views import JSON, CallbackView, MessageView, UserRef

Predicate = Callable[[MessageView], bool]


class EmulatorError(Exception):
    """The control API refused a request (unknown user, no such button, ...)."""


class EmulatorDriver:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=f"{self.base_url}/_emu", timeout=timeout, trust_env=False
        )
        self._read_up_to: dict[int, int] = {}  # chat id -> last message id wait_for_message gave

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(self, verb: str, path: str, **kwargs: Any) -> Any:
        response = await self._client.request(verb, path, **kwargs)
        if response.status_code >= 400:
            raise EmulatorError(f"{verb} {path}: {response.json().get('error', response.text)}")
        return response.json()

    # -- the world ------------------------------------------------------------------------------

    async def register_bot(
        self, token: str, *, username: str | None = None, first_name: str | None = None
    ) -> JSON:
        body = {"token": token, "username": username, "first_name": first_name}
        result: JSON = await self._call("POST", "/bots", json=body)
        return result

    async def create_user(
        self,
        first_name: str = "Mario",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "it",
        user_id: int | None = None,
    ) -> UserRef:
        body = {
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
            "user_id": user_id,
        }
        user = await self._call("POST", "/users", json=body)
        return UserRef(user["id"], user["first_name"], user.get("username"), language_code)

    async def create_chat(
        self, title: str, *, type: str = "supergroup", username: str | None = None
    ) -> JSON:
        body = {"title": title, "type": type, "username": username}
        chat: JSON = await self._call("POST", "/chats", json=body)
        return chat

    async def block_bot(self, user: UserRef, *, blocked: bool = True) -> None:
        await self._call("POST", f"/users/{user.id}/block", json={"blocked": blocked})

    # -- acting as a user ---------------------------------------------------------------------

    async def send_text(
        self, user: UserRef, text: str, *, chat_id: int | None = None
    ) -> MessageView:
        body = {"user_id": user.id, "text": text, "chat_id": chat_id}
        return MessageView(await self._call("POST", "/messages", json=body))

    async def send_command(
        self, user: UserRef, command: str, args: str = "", *, chat_id: int | None = None
    ) -> MessageView:
        text = "/" + command.removeprefix("/") + (f" {args}" if args else "")
        return await self.send_text(user, text, chat_id=chat_id)

    async def edit_text(self, user: UserRef, message_id: int, text: str) -> MessageView:
        """The user edits one of their messages in their private chat (an `edited_message`)."""
        body = {"user_id": user.id, "chat_id": user.chat_id, "message_id": message_id, "text": text}
        return MessageView(await self._call("POST", "/edits", json=body))

    async def press_button(
        self,
        user: UserRef,
        chat_id: int | None = None,
        *,
        data: str | None = None,
        label: str | None = None,
        message_id: int | None = None,
    ) -> CallbackView:
        """Press an inline button by callback data or label, on the newest message having it."""
        body = {
            "user_id": user.id,
            "chat_id": user.chat_id if chat_id is None else chat_id,
            "data": data,
            "label": label,
            "message_id": message_id,
        }
        return CallbackView(await self._call("POST", "/press", json=body))

    # -- looking ------------------------------------------------------------------------------

    async def chat(self, chat_id: int, *, include_deleted: bool = False) -> JSON:
        params = {"include_deleted": "1"} if include_deleted else {}
        result: JSON = await self._call("GET", f"/chats/{chat_id}", params=params)
        return result

    async def messages(
        self, chat_id: int, *, from_bot: bool | None = True, include_deleted: bool = False
    ) -> list[MessageView]:
        """Messages in the chat, oldest first (only the bot's unless from_bot is None/False)."""
        found = await self.chat(chat_id, include_deleted=include_deleted)
        views = [MessageView(raw) for raw in found["messages"]]
        return [v for v in views if from_bot is None or v.from_bot == from_bot]

    async def last_message(self, chat_id: int) -> MessageView | None:
        views = await self.messages(chat_id)
        return views[-1] if views else None

    async def callback(self, callback_id: str) -> CallbackView:
        return CallbackView(await self._call("GET", f"/callbacks/{callback_id}"))

    async def callbacks(self, *, unanswered: bool = False) -> list[CallbackView]:
        params = {"unanswered": "1"} if unanswered else {}
        return [CallbackView(raw) for raw in await self._call("GET", "/callbacks", params=params)]

    async def events(
        self,
        after: int = 0,
        *,
        timeout: float = 0.0,  # noqa: ASYNC109
    ) -> tuple[list[JSON], int]:
        """New events (message, edited_message, deleted_message, callback_query, ...) after a
        sequence number, waiting up to `timeout` seconds for one; returns them and the last seq."""
        params = {"after": str(after), "timeout": str(timeout)}
        result = await self._call("GET", "/events", params=params)
        return list(result["events"]), int(result["last"])

    # -- waiting ------------------------------------------------------------------------------

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> MessageView:
        """The next bot message in the chat this driver has not returned yet (and that matches
        the predicate), waiting up to `timeout` seconds for it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            snapshot = await self.chat(chat_id)
            seen = self._read_up_to.get(chat_id, 0)
            for raw in snapshot["messages"]:
                view = MessageView(raw)
                if (
                    view.from_bot
                    and view.message_id > seen
                    and (predicate is None or predicate(view))
                ):
                    self._read_up_to[chat_id] = view.message_id
                    return view
            remaining = deadline - loop.time()
            if remaining <= 0:
                texts = [MessageView(raw).text for raw in snapshot["messages"][-5:]]
                raise TimeoutError(
                    f"no new bot message in chat {chat_id} after {timeout}s: {texts}"
                )
            await self.events(snapshot["seq"], timeout=min(remaining, 5.0))

    async def wait_for_answer(
        self,
        callback_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackView:
        """The callback query once the bot answered it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seq = 0
        while True:
            view = await self.callback(callback_id)
            if view.answered:
                return view
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"callback query {callback_id} unanswered after {timeout}s")
            _, seq = await self.events(seq, timeout=min(remaining, 1.0))

    async def assert_callbacks_answered(
        self,
        timeout: float = 3.0,  # noqa: ASYNC109
    ) -> None:
        """Fail unless every callback query pressed so far gets answered within `timeout`
        seconds (the bot may still be handling the last ones)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while pending := await self.callbacks(unanswered=True):
            if loop.time() >= deadline:
                described = ", ".join(f"{c.id} (data {c.data!r})" for c in pending)
                raise AssertionError(f"callback queries left unanswered: {described}")
            await asyncio.sleep(0.02)

    # -- knobs --------------------------------------------------------------------------------

    async def advance_clock(self, seconds: float) -> float:
        """Move an in-process FakeClock forward; returns the new time as a Unix timestamp."""
        result = await self._call("POST", "/clock", json={"seconds": seconds})
        return float(result["now"])

    async def set_fault(
        self,
        method: str,
        kind: str,
        *,
        chat_id: int | str | None = None,
        times: int | None = None,
        retry_after: int = 5,
        status: int = 500,
        description: str | None = None,
        hang_seconds: float = 30.0,
    ) -> JSON:
        """Make `method` ("*" for all) fail: kind is retry_after, server_error, timeout,
        blocked or error (status + description); `times` calls, or until cleared."""
        body = {
            "method": method,
            "kind": kind,
            "chat_id": chat_id,
            "times": times,
            "retry_after": retry_after,
            "status": status,
            "description": description,
            "hang_seconds": hang_seconds,
        }
        result: JSON = await self._call("POST", "/faults", json=body)
        return result

    async def clear_faults(self, method: str | None = None) -> None:
        await self._call("DELETE", "/faults", params={"method": method} if method else {})

    async def set_rate_limits(
        self,
        *,
        enabled: bool | None = None,
        private: bool | None = None,
        group: bool | None = None,
        global_: bool | None = None,
        scale: float | None = None,
    ) -> JSON:
        body: dict[str, object] = {
            "enabled": enabled,
            "private": private,
            "group": group,
            "global": global_,
            "scale": scale,
        }
        result: JSON = await self._call("POST", "/ratelimits", json=body)
        return result
