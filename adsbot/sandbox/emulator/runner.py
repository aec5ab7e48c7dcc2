"""Run the emulator inside the current event loop, on 127.0.0.1 and a free port by default."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass
from typing import Any

import uvicorn

from adsbot.adapters.clock import Clock
from adsbot.sandbox.emulator.app import Emulator
from adsbot.sandbox.emulator.driver import EmulatorDriver
from adsbot.sandbox.emulator.models import BotAccount
from adsbot.sandbox.emulator.state import EmulatorState

# access_log is off everywhere: uvicorn would print request paths, and they carry the bot token.


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signal handlers to their owner."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None]:
        yield

    async def main_loop(self) -> None:
        # uvicorn looks for should_exit every 0.1 s; tests start and stop many servers.
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            await asyncio.sleep(0.01)


@dataclass
class RunningEmulator:
    emulator: Emulator
    port: int
    driver: EmulatorDriver
    check_callbacks: bool = True  # read by the pytest fixture at teardown

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """For PTB's `base_url` (the token is appended)."""
        return f"{self.base_url}/bot"

    @property
    def file_url(self) -> str:
        """For PTB's `base_file_url`, so `File.download_*` reach the emulator too."""
        return f"{self.base_url}/file/bot"

    @property
    def state(self) -> EmulatorState:
        return self.emulator.state

    def register_bot(
        self, token: str, *, username: str | None = None, first_name: str | None = None
    ) -> BotAccount:
        return self.emulator.state.register_bot(token, username=username, first_name=first_name)


def bind_loopback(port: int = 0) -> socket.socket:
    """A listening-ready socket on 127.0.0.1 (port 0: the system picks a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Without it a response written in two parts waits ~40 ms for a delayed ACK (Nagle).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@contextlib.asynccontextmanager
async def serve_asgi(app: Any, *, port: int = 0) -> AsyncIterator[int]:
    """Serve any ASGI app (the emulator, a test's webhook receiver) on 127.0.0.1 in this event
    loop for the duration of the block; yields the port."""
    sock = bind_loopback(port)
    config = uvicorn.Config(
        app,
        access_log=False,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="asgi-server")
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the HTTP server stopped while starting")
            await asyncio.sleep(0.005)
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextlib.asynccontextmanager
async def running_emulator(
    clock: Clock | None = None, *, port: int = 0, **options: Any
) -> AsyncIterator[RunningEmulator]:
    """Serve a fresh emulator over HTTP for the duration of the block.

    `options` go to `Emulator` (rate_limits, rate_scale, delivery, auto_register_bots, ...).
    """
    emulator = Emulator(clock, **options)
    try:
        async with serve_asgi(emulator.app, port=port) as bound:
            await emulator.start()
            async with EmulatorDriver(f"http://127.0.0.1:{bound}") as driver:
                yield RunningEmulator(emulator, bound, driver)
            # Release long polls and hanging requests before the server waits for them.
            await emulator.stop()
    finally:
        await emulator.stop()
