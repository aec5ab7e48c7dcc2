"""The `/_emu` JSON control API the driver uses, in-process or across processes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adsbot.adapters.clock import FakeClock
from adsbot.sandbox.emulator.actions import (
    unanswered_callbacks,
    user_edits,
    user_presses,
    user_sends,
)
from adsbot.sandbox.emulator.errors import ApiError

if TYPE_CHECKING:
    from adsbot.sandbox.emulator.app import Emulator

Endpoint = Callable[[Request], Awaitable[Any]]
MAX_EVENT_WAIT = 30.0


def _json_endpoint(handler: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """Map LookupError to 404, ValueError to 400 and emulated API errors to their status."""

    async def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(await handler(request))
        except LookupError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except ApiError as exc:
            return JSONResponse({"error": exc.description}, status_code=exc.code)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    return endpoint


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    return data


def routes(emulator: Emulator) -> list[Route]:
    state = emulator.state

    async def register_bot(request: Request) -> Any:
        body = await _body(request)
        bot = state.register_bot(
            body["token"], username=body.get("username"), first_name=body.get("first_name")
        )
        return bot.to_me()

    async def create_user(request: Request) -> Any:
        body = await _body(request)
        user = state.add_user(
            body.get("first_name", "Mario"),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "it"),
            user_id=body.get("user_id"),
        )
        return user.to_api()

    async def block(request: Request) -> Any:
        body = await _body(request)
        user = state.user(int(request.path_params["user_id"]))
        user.blocked_bot = bool(body.get("blocked", True))
        return {"blocked": user.blocked_bot}

    async def create_chat(request: Request) -> Any:
        body = await _body(request)
        chat = state.add_chat(
            body.get("title", "Group"),
            kind=body.get("type", "supergroup"),
            username=body.get("username"),
        )
        return chat.to_api()

    async def send(request: Request) -> Any:
        body = await _body(request)
        message = user_sends(
            state,
            int(body["user_id"]),
            str(body["text"]),
            chat_id=body.get("chat_id"),
            entities=body.get("entities"),
        )
        return message.to_view()

    async def edit_text(request: Request) -> Any:
        body = await _body(request)
        message = user_edits(
            state,
            int(body["user_id"]),
            int(body["chat_id"]),
            int(body["message_id"]),
            str(body["text"]),
        )
        return message.to_view()

    async def press(request: Request) -> Any:
        body = await _body(request)
        record = user_presses(
            state,
            int(body["user_id"]),
            int(body["chat_id"]),
            message_id=body.get("message_id"),
            data=body.get("data"),
            label=body.get("label"),
        )
        return record.to_view()

    async def callbacks(request: Request) -> Any:
        unanswered = request.query_params.get("unanswered") == "1"
        records = unanswered_callbacks(state) if unanswered else state.callbacks.values()
        return [record.to_view() for record in records]

    async def callback(request: Request) -> Any:
        record = state.callbacks.get(request.path_params["callback_id"])
        if record is None:
            raise LookupError("no such callback query")
        return record.to_view()

    async def chat(request: Request) -> Any:
        found = state.chat(int(request.path_params["chat_id"]))
        deleted = request.query_params.get("include_deleted") == "1"
        messages = state.chat_messages(found.id, include_deleted=deleted)
        views = [m.to_view() for m in messages]
        return {"chat": found.to_api(), "messages": views, "seq": state.seq}

    async def clock(request: Request) -> Any:
        if request.method == "POST":
            if not isinstance(emulator.clock, FakeClock):
                raise ValueError("this emulator runs on the system clock")
            seconds = float((await _body(request)).get("seconds", 0))
            emulator.clock.advance(timedelta(seconds=seconds))
            state.notify()
        return {"now": emulator.clock.now().timestamp()}

    async def faults(request: Request) -> Any:
        if request.method == "POST":
            body = await _body(request)
            method, kind = body.pop("method"), body.pop("kind")
            return emulator.faults.add(method, kind, **body).to_view()
        if request.method == "DELETE":
            emulator.faults.clear(request.query_params.get("method"))
        return [fault.to_view() for fault in emulator.faults.list()]

    async def rate_limits(request: Request) -> Any:
        if request.method == "POST":
            body = await _body(request)
            emulator.limiter.configure(
                enabled=body.get("enabled"),
                private=body.get("private"),
                group=body.get("group"),
                global_=body.get("global"),
                scale=body.get("scale"),
            )
        return emulator.limiter.describe()

    async def events(request: Request) -> Any:
        after = int(request.query_params.get("after", "0"))
        timeout = min(float(request.query_params.get("timeout", "0")), MAX_EVENT_WAIT)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = state.events_after(after)
            remaining = deadline - loop.time()
            if found or remaining <= 0 or state.closing.is_set():
                return {"events": found, "last": state.seq}
            await state.wait_for_change(remaining)

    table: list[tuple[str, Endpoint, list[str]]] = [
        ("/bots", register_bot, ["POST"]),
        ("/users", create_user, ["POST"]),
        ("/users/{user_id:int}/block", block, ["POST"]),
        ("/chats", create_chat, ["POST"]),
        ("/chats/{chat_id}", chat, ["GET"]),
        ("/edits", edit_text, ["POST"]),
        ("/messages", send, ["POST"]),
        ("/press", press, ["POST"]),
        ("/callbacks", callbacks, ["GET"]),
        ("/callbacks/{callback_id}", callback, ["GET"]),
        ("/clock", clock, ["GET", "POST"]),
        ("/faults", faults, ["GET", "POST", "DELETE"]),
        ("/ratelimits", rate_limits, ["GET", "POST"]),
        ("/events", events, ["GET"]),
    ]
    return [Route(path, _json_endpoint(fn), methods=verbs) for path, fn, verbs in table]
