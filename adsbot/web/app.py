"""The web server: the Telegram webhook, health, readiness and metrics (Starlette)."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from adsbot.adapters.clock import Clock
from adsbot.services import inbox
from adsbot.services.inbox import StoredUpdate
from adsbot.storage.database import Database
from adsbot.web.metrics import Metrics
from adsbot.web.readiness import Readiness

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
# Called after an update is committed to the inbox (hands the row to the worker).
OnStored = Callable[[StoredUpdate], None]
# Stores one update-shaped body (the inbox writer, with group commit).
Store = Callable[
    [dict[str, Any], datetime], Awaitable[tuple[inbox.StoreOutcome, StoredUpdate | None]]
]


def build_web_app(
    *,
    db: Database,
    clock: Clock,
    metrics: Metrics,
    readiness: Readiness,
    webhook_secret: str | None,
    store: Store,
    on_stored: OnStored,
    extra_routes: list[Route] | None = None,
) -> Starlette:
    expected = webhook_secret.encode() if webhook_secret else None

    async def webhook(request: Request) -> Response:
        if expected is None:
            return PlainTextResponse("webhook mode is off", status_code=404)
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not secrets.compare_digest(given, expected):
            return PlainTextResponse("forbidden", status_code=403)
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        if not inbox.is_update_shaped(body):
            # Telegram would retry a non-2xx answer forever: log it and acknowledge.
            logger.warning("Webhook body is not an update (%d bytes); ignored", len(raw))
            return Response(status_code=200)
        _outcome, row = await store(body, clock.now())
        if row is not None:
            metrics.updates_received.labels(source="webhook").inc()
            on_stored(row)
        else:
            metrics.updates_duplicate.inc()
        return Response(status_code=200)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        problems = await readiness.failures()
        if problems:
            return JSONResponse({"status": "unavailable", "failing": problems}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def metrics_route(_request: Request) -> Response:
        await readiness.failures()  # refreshes the inbox gauges
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    routes = [
        Route("/webhook/telegram", webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_route, methods=["GET"]),
        *(extra_routes or []),
    ]
    return Starlette(routes=routes)
