"""The HTTP face: `/bot<token>/<method>`, `/file/bot<token>/<path>` and the `/_emu` control API."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from adsbot.sandbox.emulator import control, errors
from adsbot.sandbox.emulator.errors import ApiError
from adsbot.sandbox.emulator.methods import METHODS, Answer, Call
from adsbot.sandbox.emulator.params import Params, parse_body

if TYPE_CHECKING:
    from adsbot.sandbox.emulator.app import Emulator

logger = logging.getLogger(__name__)
_TOKEN_IN_PATH = re.compile(r"/bot[^/]*")


def mask_token(path: str) -> str:
    """Paths carry the bot token: never log them as they are."""
    return _TOKEN_IN_PATH.sub("/bot<token>", path, count=1)


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.code)


def build_app(emulator: Emulator) -> Starlette:
    state = emulator.state

    async def api(request: Request) -> Response:
        name = request.path_params["method"]
        try:
            bot = state.bot_for_token(request.path_params["token"])
            handler = METHODS.get(name.lower())
            if handler is None:
                raise ApiError(404, errors.NOT_FOUND)
            body = await request.body()
            values, uploads = parse_body(
                request.headers.get("content-type", ""), body, request.url.query
            )
            fault = emulator.faults.take(name, values.get("chat_id"))
            if fault is not None:
                if fault.kind == "timeout":
                    # Hang past the client's timeout; shutdown releases the request.
                    await asyncio.wait_for(_wait_closing(emulator), fault.hang_seconds)
                raise fault.error()
            result = await handler(Call(state, bot, Params(values, uploads), emulator.limiter))
        except ApiError as exc:
            response = _error(exc)
        except TimeoutError:
            response = _error(ApiError(504, "Gateway Timeout"))
        else:
            answer: dict[str, object] = {"ok": True}
            if isinstance(result, Answer):
                answer["result"] = result.result
                if result.description:
                    answer["description"] = result.description
            else:
                answer["result"] = result
            response = JSONResponse(answer)
        logger.debug(
            "%s %s -> %s", request.method, mask_token(request.url.path), response.status_code
        )
        return response

    async def download(request: Request) -> Response:
        try:
            state.bot_for_token(request.path_params["token"])
        except ApiError as exc:
            return _error(exc)
        stored = state.file_by_path(request.path_params["path"])
        if stored is None:
            return _error(ApiError(404, errors.NOT_FOUND))
        return Response(stored.content, media_type=stored.mime_type or "application/octet-stream")

    routes = [
        Route("/bot{token}/{method}", api, methods=["GET", "POST"]),
        Route("/file/bot{token}/{path:path}", download, methods=["GET"]),
        Mount("/_emu", routes=control.routes(emulator)),
    ]
    return Starlette(routes=routes)


async def _wait_closing(emulator: Emulator) -> None:
    await emulator.state.closing.wait()
    raise TimeoutError
