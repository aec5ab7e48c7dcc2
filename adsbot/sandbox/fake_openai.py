"""A small fake of the OpenAI API for tests and the sandbox (grows with the AI copywriter).

`GET /v1/models/{id}` answers 200 for a key it accepts and 401 with OpenAI's error shape
otherwise. Keys accepted: those given at construction (default: any key starting `sk-test`).
"""

from __future__ import annotations

import argparse
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DEFAULT_KEY_PREFIX = "sk-test"


def build_fake_openai(valid_keys: set[str] | None = None) -> Starlette:
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
        created = int(time.time())
        return JSONResponse(
            {"id": model, "object": "model", "created": created, "owned_by": "fake"}
        )

    return Starlette(routes=[Route("/v1/models/{model:path}", retrieve_model, methods=["GET"])])


def main() -> None:
    parser = argparse.ArgumentParser(description="fake OpenAI API for the sandbox and tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    uvicorn.run(build_fake_openai(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
