"""Start, serve and stop: the production process (`python main.py`).

Start-up runs each check for real and then logs the staging plan's lines in its order. SIGTERM or
Ctrl-C: stop taking updates (web server, polling), let running handlers finish, stop PTB, dispose
the engine, exit 0. uvicorn's own signal handling is switched off so it cannot cut this short.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
from collections.abc import Generator
from typing import Any

import uvicorn
import uvloop
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adsbot.adapters.clock import Clock
from adsbot.adapters.openai_client import check_key
from adsbot.adapters.telegram import ALLOWED_UPDATES
from adsbot.bot.profile import publish_profile
from adsbot.composition import Components, build
from adsbot.jobs.registry import JobSpec, run_and_record
from adsbot.logs import configure_logging
from adsbot.settings import Settings
from adsbot.settings_doc import OFF_WHEN_MISSING
from adsbot.storage import migrate
from adsbot.storage.urls import masked

logger = logging.getLogger("adsbot")

EXIT_OK, EXIT_STARTUP_FAILED = 0, 1
_KEY_LINES = {
    "valid": "OpenAI API key validated (model {model})",
    "disabled": "OpenAI disabled: no key (AI drafts use templates)",
    "invalid": "OpenAI key invalid: rejected by the API (AI drafts use templates)",
    "unreachable": "OpenAI not reachable: key not validated (AI drafts use templates)",
}


class StartupFailed(Exception):
    """A start-up check failed; the message says which, in one line."""


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: our own shutdown sequence owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it each small answer waits ~40 ms (Nagle and
    # delayed ACK), which would dominate the webhook's latency.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


class Runtime:
    """The running bot: `await start()`, then `await stop()` (tests drive it the same way)."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.components: Components = build(settings, clock)
        self.port: int | None = None
        self._server: _QuietServer | None = None
        self._server_task: asyncio.Task[None] | None = None

    async def _checks(self) -> list[str]:
        """Each start-up check, for real; the lines to log once everything runs."""
        settings, app, db = self.settings, self.components.application, self.components.db
        try:
            await app.initialize()  # getMe
        except TelegramError as exc:
            raise StartupFailed(
                f"Telegram not reachable at {settings.TELEGRAM_API_BASE_URL}: {exc}"
            ) from exc
        lines = [f"Telegram connection established: @{app.bot.username}"]
        try:
            await db.ping()
            current, head = await asyncio.to_thread(migrate.pending, settings.database_url)
        except Exception as exc:
            raise StartupFailed(f"Database not reachable: {masked(settings.database_url)}") from exc
        if current != head:
            raise StartupFailed(
                f"Database at revision {current}, not {head}: run `python scripts/migrate.py`"
            )
        lines.append(f"Database connected: {masked(settings.database_url)} (revision {current})")
        status = await check_key(settings)
        lines.append(_KEY_LINES[status].format(model=settings.OPENAI_MODEL))
        lines.append(f"APScheduler initialized: {self._schedule_jobs()} jobs")
        lines.append(f"Conversation handlers registered: {self.components.handler_count}")
        return lines

    def _schedule_jobs(self) -> int:
        job_queue = self.components.application.job_queue
        assert job_queue is not None, "python-telegram-bot's job-queue extra is required"

        def callback_for(spec: JobSpec) -> Any:
            async def run(_context: ContextTypes.DEFAULT_TYPE) -> None:
                await run_and_record(spec, self.components.job_context)

            return run

        for spec in self.components.jobs:
            job_queue.run_repeating(
                callback_for(spec),
                interval=spec.interval,
                first=min(spec.interval.total_seconds(), 10.0),
                name=spec.name,
                job_kwargs={"coalesce": True, "max_instances": 1},
            )
        return len(job_queue.jobs())

    async def start(self) -> None:
        try:
            lines = await self._checks()
        except BaseException:
            await self._close()
            raise
        try:
            await self._serve(lines)
        except BaseException:
            await self.stop()
            raise

    async def _serve(self, lines: list[str]) -> None:
        """Web server, job queue, worker replay, then webhook or polling; finally the lines."""
        settings, components = self.settings, self.components
        app = components.application
        sock = _bind(settings.HOST, settings.PORT)
        self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            components.web,
            log_level="warning",
            access_log=False,  # request paths may carry secrets; our metrics count requests
            http="httptools",
            lifespan="off",
            timeout_graceful_shutdown=10,
        )
        self._server = _QuietServer(config)
        self._server_task = asyncio.create_task(self._server.serve(sockets=[sock]), name="web")
        while not self._server.started:
            if self._server_task.done():
                self._server_task.result()
            await asyncio.sleep(0.01)

        await app.start()  # the job queue
        await publish_profile(app.bot)  # commands and descriptions, Italian and English
        await components.worker.start()  # replays what a crash or a stop left pending
        if components.sender is not None:
            components.sender.start()  # messages out: the paced outbox loop
        if settings.webhook_mode:
            assert settings.WEBHOOK_URL and settings.WEBHOOK_SECRET
            await app.bot.set_webhook(
                url=settings.WEBHOOK_URL,
                secret_token=settings.WEBHOOK_SECRET.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
            mode = "webhook mode"
        else:
            assert components.poller is not None
            await components.poller.start()
            mode = "polling mode"

        logger.info("Bot started successfully: @%s, %s, port %d", app.bot.username, mode, self.port)
        for line in lines:
            degraded = line.startswith(("OpenAI key invalid", "OpenAI not reachable"))
            logger.log(logging.WARNING if degraded else logging.INFO, "%s", line)
        # Optional settings left unset: the feature each one turns off, once, at start.
        # (OpenAI has its own line above; the mode is in "Bot started successfully".)
        # XTR_PAYOUT_RATE only matters when the currency is Stars.
        told = {"OPENAI_API_KEY", "WEBHOOK_URL"} | (
            {"XTR_PAYOUT_RATE"} if settings.CURRENCY != "XTR" else set()
        )
        for name, effect in OFF_WHEN_MISSING.items():
            if name not in told and not getattr(settings, name):
                logger.info("%s not set: %s", name, effect)

    async def stop(self) -> None:
        """Stop taking updates, finish the ones being handled, release everything."""
        logger.info("Shutting down: no new updates; finishing the ones being handled")
        components = self.components
        if components.poller is not None:
            await components.poller.stop()
        if self._server is not None and self._server_task is not None:
            self._server.should_exit = True
            await self._server_task
        await components.worker.stop()
        # The job queue first: its jobs (the sweeper, the sender's heartbeat) must not start
        # anything new while the rest stops. Jobs already running are waited for.
        if components.application.running:
            await components.application.stop()
        if components.sender is not None:
            await components.sender.stop()  # records the batch in flight
        await self._close()
        logger.info("Stopped cleanly")

    async def _close(self) -> None:
        with contextlib.suppress(Exception):
            await self.components.application.shutdown()
        await self.components.db.dispose()


def tune_garbage_collector() -> None:
    """Full collections walk the whole heap (PTB, SQLAlchemy and their caches): 90-230 ms
    pauses that land on some update's latency. Objects alive after start-up live until exit, so
    they are frozen out of the collector's sight, and young collections run less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


async def serve(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runtime = Runtime(settings)
    try:
        await runtime.start()
    except StartupFailed as exc:
        logger.critical("Start-up failed: %s", exc)
        return EXIT_STARTUP_FAILED
    tune_garbage_collector()
    await stop.wait()
    await runtime.stop()
    return EXIT_OK


def run_forever(settings: Settings) -> int:
    configure_logging(settings)
    # uvloop: the bot is CPU-bound on event-loop work (see docs/PERFORMANCE.md).
    return asyncio.run(serve(settings), loop_factory=uvloop.new_event_loop)
