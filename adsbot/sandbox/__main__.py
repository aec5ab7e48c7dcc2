"""`make demo`: the sandbox (Telegram emulator, the real bot, fake OpenAI and a chat page).

    python -m adsbot.sandbox [--resume]

Everything runs in this process on 127.0.0.1; data lives in `sandbox-data/` under the current
directory (fresh each start unless `--resume`). Ctrl-C or SIGTERM stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from adsbot.settings import explain, load_settings

DATA_DIR = Path("sandbox-data")


async def _serve(sandbox_port: int, emulator_port: int, resume: bool) -> int:
    from adsbot.sandbox.launcher import running_sandbox

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running_sandbox(
        DATA_DIR,
        sandbox_port=sandbox_port,
        emulator_port=emulator_port,
        resume=resume,
        configure_logs=True,
    ) as sandbox:
        print(sandbox.url, flush=True)  # noqa: T201
        print("Ctrl-C to stop", flush=True)  # noqa: T201
        await stop.wait()
    print("Sandbox stopped", flush=True)  # noqa: T201
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adsbot.sandbox", description=__doc__)
    parser.add_argument("--resume", action="store_true", help="keep sandbox-data/sandbox.db")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ValueError as exc:
        print(explain(exc), file=sys.stderr)  # noqa: T201
        return 2
    return asyncio.run(_serve(settings.SANDBOX_PORT, settings.EMULATOR_PORT, args.resume))


if __name__ == "__main__":
    sys.exit(main())
