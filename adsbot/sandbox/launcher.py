"""The sandbox in one asyncio process: emulator, fake OpenAI, the real bot and the chat page.

`running_sandbox(data_dir)` is used by `python -m adsbot.sandbox` and by the tests. The bot is the
same code as in production, configured only through its settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from adsbot.logs import configure_logging
from adsbot.runtime import Runtime
from adsbot.sandbox.emulator.runner import (
    RunningEmulator,
    bind_loopback,
    running_emulator,
    serve_asgi,
)
from adsbot.sandbox.fake_openai import build_fake_openai
from adsbot.sandbox.page.app import build_page
from adsbot.services.seed import Persona, admin_ids, load_personas, seed_url
from adsbot.settings import Settings, isolated_settings
from adsbot.storage import migrate

SANDBOX_TOKEN = "7000000001:sandbox-token_not-a-real-one"  # noqa: S105 - the emulator's, not Telegram's
BOT_USERNAME = "adsbot_sandbox_bot"
DB_NAME = "sandbox.db"


@dataclass
class Sandbox:
    url: str
    emulator: RunningEmulator
    runtime: Runtime
    settings: Settings
    personas: list[Persona]
    data_dir: Path


def _free_port() -> int:
    sock = bind_loopback(0)
    try:
        return int(sock.getsockname()[1])
    finally:
        sock.close()


def prepare_data(data_dir: Path, *, resume: bool = False) -> str:
    """A fresh (or, with resume, the old) sandbox database, migrated and seeded; its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db_file = data_dir / DB_NAME
    if not resume:
        for path in (db_file, data_dir / f"{DB_NAME}-wal", data_dir / f"{DB_NAME}-shm"):
            path.unlink(missing_ok=True)
        shutil.rmtree(data_dir / "logs", ignore_errors=True)
    url = f"sqlite:///{db_file.resolve()}"
    migrate.upgrade(url)
    seed_url(url)
    return url


def sandbox_settings(
    data_dir: Path, url: str, *, emulator_url: str, openai_url: str, personas: list[Persona]
) -> Settings:
    port = _free_port()
    return isolated_settings(
        TELEGRAM_TOKEN=SANDBOX_TOKEN,
        TELEGRAM_API_BASE_URL=emulator_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/webhook/telegram",
        WEBHOOK_SECRET=secrets.token_urlsafe(24),
        HOST="127.0.0.1",
        PORT=port,
        DATABASE_URL=url,
        OPENAI_API_KEY="sk-test-sandbox",
        OPENAI_BASE_URL=f"{openai_url}/v1",
        ADMIN_IDS=admin_ids(personas),
        SHOW_DEMO_DATA=True,
        LOG_DIR=data_dir / "logs",
    )


@contextlib.asynccontextmanager
async def running_sandbox(
    data_dir: Path,
    *,
    sandbox_port: int = 0,
    emulator_port: int = 0,
    resume: bool = False,
    rate_limits: bool = True,
    configure_logs: bool = False,
) -> AsyncIterator[Sandbox]:
    """Everything up for the duration of the block; everything closed after it.
    `configure_logs`: the bot's log handlers (stderr and LOG_DIR) before the bot starts, so its
    start-up lines are in them (`make demo`; tests keep pytest's)."""
    data_dir = Path(data_dir)
    personas = load_personas()
    url = await asyncio.to_thread(prepare_data, data_dir, resume=resume)
    async with (
        running_emulator(port=emulator_port, rate_limits=rate_limits) as emulator,
        serve_asgi(build_fake_openai()) as openai_port,
    ):
        emulator.register_bot(SANDBOX_TOKEN, username=BOT_USERNAME, first_name="adsbot")
        settings = sandbox_settings(
            data_dir,
            url,
            emulator_url=emulator.base_url,
            openai_url=f"http://127.0.0.1:{openai_port}",
            personas=personas,
        )
        if configure_logs:
            configure_logging(settings)
        runtime = Runtime(settings)
        await runtime.start()
        try:
            page = build_page(emulator, personas, token=SANDBOX_TOKEN)
            for persona in personas:
                await emulator.driver.create_user(
                    persona.first_name,
                    username=persona.username,
                    language_code=persona.language,
                    user_id=persona.id,
                )
            async with serve_asgi(page, port=sandbox_port) as page_port:
                yield Sandbox(
                    url=f"http://127.0.0.1:{page_port}",
                    emulator=emulator,
                    runtime=runtime,
                    settings=settings,
                    personas=personas,
                    data_dir=data_dir,
                )
        finally:
            await runtime.stop()
