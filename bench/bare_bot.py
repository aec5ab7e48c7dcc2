"""The framework's ceiling: a bare python-telegram-bot bot with the same webhook contract as
adsbot (secret header checked in constant time, 200 once the update is accepted), no database.

Run by bench/webhook.py: `python bench/bare_bot.py PORT API_BASE_URL TOKEN SECRET`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes


async def start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    await update.effective_message.reply_text(f"Ciao {update.effective_user.first_name}!")


async def main(port: int, api: str, token: str, secret: str) -> None:
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{api}/bot")
        .updater(None)
        .concurrent_updates(64)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not secrets.compare_digest(given, expected):
            return Response(status_code=403)
        body = json.loads(await request.body())
        await application.update_queue.put(Update.de_json(body, application.bot))
        return Response(status_code=200)

    web = Starlette(routes=[Route("/webhook/telegram", webhook, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    async with application:
        await application.start()
        print("ready", flush=True)
        await server.serve()
        await application.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
