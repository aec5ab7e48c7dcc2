"""Small things the emulator tests share."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adsbot.sandbox.emulator import RunningEmulator, UserRef
from adsbot.sandbox.emulator.runner import serve_asgi

# The smallest valid PNG header the emulator measures (1x1).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


async def started_user(emu: RunningEmulator, name: str = "Giulia") -> UserRef:
    """A user who has opened the private chat with the bot (sent /start)."""
    user = await emu.driver.create_user(name)
    await emu.driver.send_command(user, "start")
    return user


class Receiver:
    """A webhook endpoint that records what it got and answers with a chosen status."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, object], str | None]] = []
        self.statuses: list[int] = []  # answers to give, in order; then 200

    async def endpoint(self, request: Request) -> Response:
        update = await request.json()
        self.received.append((update, request.headers.get("x-telegram-bot-api-secret-token")))
        status = self.statuses.pop(0) if self.statuses else 200
        return Response(status_code=status)


@contextlib.asynccontextmanager
async def running_receiver() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/hook", receiver.endpoint, methods=["POST"])])
    async with serve_asgi(app) as port:
        yield receiver, f"http://127.0.0.1:{port}/hook"
