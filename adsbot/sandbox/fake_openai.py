"""A small fake of the OpenAI API for tests and the sandbox (grows with the AI copywriter).

`GET /v1/models/{id}` answers 200 for a key it accepts and 401 with OpenAI's error shape
otherwise; 404 `model_not_found` for a model it does not know. Keys accepted: those given at
construction (default: any key starting `sk-test`); models: those given (default: any).

    python -m adsbot.sandbox.fake_openai [--port 0]   prints the OPENAI_BASE_URL to use
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

logger = logging.getLogger("adsbot.sandbox.fake_openai")

DEFAULT_KEY_PREFIX = "sk-test"


def build_fake_openai(
    valid_keys: set[str] | None = None, models: set[str] | None = None
) -> Starlette:
    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        key = header.removeprefix("Bearer ").strip()
        if valid_keys is not None:
            return key in valid_keys
        return key.startswith(DEFAULT_KEY_PREFIX)

    def unauthorised() -> JSONResponse:
        error = {
            "message": "Incorrect API key provided.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
        return JSONResponse({"error": error}, status_code=401)

    async def retrieve_model(request: Request) -> JSONResponse:
        if not authorised(request):
            return unauthorised()
        model = request.path_params["model"]
        if models is not None and model not in models:
            error = {
                "message": f"The model `{model}` does not exist or you do not have access to it.",
                "type": "invalid_request_error",
                "param": None,
                "code": "model_not_found",
            }
            return JSONResponse({"error": error}, status_code=404)
        created = int(time.time())
        return JSONResponse(
            {"id": model, "object": "model", "created": created, "owned_by": "fake"}
        )

    return Starlette(routes=[Route("/v1/models/{model:path}", retrieve_model, methods=["GET"])])


def main() -> None:
    parser = argparse.ArgumentParser(description="fake OpenAI API for the sandbox and tests")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port))


async def _serve(port: int) -> None:
    from adsbot.sandbox.emulator.runner import serve_asgi

    async with serve_asgi(build_fake_openai(), port=port) as bound:
        logger.info("Fake OpenAI listening: OPENAI_BASE_URL=http://127.0.0.1:%s/v1", bound)
        await asyncio.Event().wait()  # until Ctrl-C


if __name__ == "__main__":
    main()
