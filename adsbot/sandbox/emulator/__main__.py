"""Run the emulator as its own process: `python -m adsbot.sandbox.emulator --port 8081`.

A separate process runs on the system clock. Whoever launches it picks the port (EMULATOR_PORT).
"""

from __future__ import annotations

import argparse
import asyncio
import logging

import uvicorn

from adsbot.sandbox.emulator.app import Emulator
from adsbot.sandbox.emulator.runner import bind_loopback

logger = logging.getLogger("adsbot.sandbox.emulator")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m adsbot.sandbox.emulator")
    parser.add_argument("--port", type=int, default=8081, help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--no-rate-limits", action="store_true", help="switch flood limits off")
    parser.add_argument("--rate-scale", type=float, default=1.0, help="multiply limit rates")
    parser.add_argument("--bot-token", action="append", default=[], help="register a token")
    parser.add_argument("--bot-username", default="adsbot_test_bot")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    emulator = Emulator(
        rate_limits=not args.no_rate_limits,
        rate_scale=args.rate_scale,
        default_bot_username=args.bot_username,
    )
    for token in args.bot_token:
        emulator.state.register_bot(token)
    sock = bind_loopback(args.port)
    # access_log off: uvicorn would print request paths, and they carry the bot token.
    config = uvicorn.Config(emulator.app, access_log=False, lifespan="off", log_level="warning")
    config.timeout_graceful_shutdown = 2
    server = uvicorn.Server(config)
    await emulator.start()
    logger.info("Emulator listening on http://127.0.0.1:%s", sock.getsockname()[1])
    try:
        await server.serve(sockets=[sock])
    finally:
        await emulator.stop()
        sock.close()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
