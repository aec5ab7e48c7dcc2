"""The chat page: static files plus a small JSON API that proxies to the emulator's `/_emu`.

GET  /api/personas              the personas (the JSON file plus any created here)
POST /api/personas              {name, language} -> a new emulator user
GET  /api/chats/{chat_id}       the chat's messages (the user's own included)
POST /api/send                  {user_id, text}
POST /api/press                 {user_id, chat_id, message_id, data}
GET  /api/events?after&timeout  long poll for what changed
GET  /api/file/{file_id}        redirect to the emulator's /file path (photos, documents)
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from adsbot.sandbox.emulator.driver import EmulatorError
from adsbot.sandbox.emulator.runner import RunningEmulator
from adsbot.services.seed import Persona

STATIC = Path(__file__).resolve().parent / "static"
MAX_WAIT = 25.0


def build_page(emulator: RunningEmulator, personas: list[Persona], *, token: str) -> Starlette:
    driver = emulator.driver
    people: list[dict[str, Any]] = [p.to_json() for p in personas]
    new_ids = itertools.count(max(p.id for p in personas) + 1000)

    async def index(_request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def list_personas(request: Request) -> Response:
        if request.method == "POST":
            body = await request.json()
            name = str(body.get("name") or "").strip()[:64]
            language = str(body.get("language") or "it")[:8]
            if not name:
                return JSONResponse({"error": "name required"}, status_code=400)
            user_id = next(new_ids)
            await driver.create_user(name, language_code=language, user_id=user_id)
            persona = {
                "key": f"custom-{user_id}",
                "id": user_id,
                "first_name": name,
                "language": language,
                "seed": False,
                "role": "",
                "username": None,
                "admin": False,
            }
            people.append(persona)
            return JSONResponse(persona)
        return JSONResponse({"personas": people})

    async def chat(request: Request) -> Response:
        chat_id = int(request.path_params["chat_id"])
        try:
            return JSONResponse(await driver.chat(chat_id))
        except EmulatorError:
            return JSONResponse({"chat": None, "messages": [], "seq": 0})

    async def send(request: Request) -> Response:
        body = await request.json()
        user_id = int(body["user_id"])
        text = str(body.get("text") or "")
        if not text.strip():
            return JSONResponse({"error": "empty message"}, status_code=400)
        found = await driver._call("POST", "/messages", json={"user_id": user_id, "text": text})
        return JSONResponse(found)

    async def press(request: Request) -> Response:
        body = await request.json()
        payload = {
            "user_id": int(body["user_id"]),
            "chat_id": int(body["chat_id"]),
            "message_id": body.get("message_id"),
            "data": body.get("data"),
        }
        return JSONResponse(await driver._call("POST", "/press", json=payload))

    async def events(request: Request) -> Response:
        after = int(request.query_params.get("after", "0"))
        timeout = min(float(request.query_params.get("timeout", "0")), MAX_WAIT)
        found, last = await driver.events(after, timeout=timeout)
        return JSONResponse({"events": found, "last": last})

    async def file(request: Request) -> Response:
        stored = emulator.state.files.get(request.path_params["file_id"])
        if stored is None:
            return JSONResponse({"error": "no such file"}, status_code=404)
        return RedirectResponse(f"{emulator.base_url}/file/bot{token}/{stored.path}")

    async def refused(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=400)

    routes = [
        Route("/", index),
        Route("/api/personas", list_personas, methods=["GET", "POST"]),
        Route("/api/chats/{chat_id:int}", chat),
        Route("/api/send", send, methods=["POST"]),
        Route("/api/press", press, methods=["POST"]),
        Route("/api/events", events),
        Route("/api/file/{file_id}", file),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={EmulatorError: refused, ValueError: refused, KeyError: refused},
    )
