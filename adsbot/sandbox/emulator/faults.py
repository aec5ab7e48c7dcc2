"""Failures on purpose: make a method answer 429, 5xx, 403 or hang, for N calls or until cleared."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

from adsbot.sandbox.emulator import errors
from adsbot.sandbox.emulator.errors import ApiError, too_many_requests

KINDS = ("retry_after", "server_error", "timeout", "blocked", "error")


@dataclass
class Fault:
    """One rule. `method` "*" matches every method; `chat_id` None matches every chat."""

    id: int
    method: str
    kind: str
    chat_id: int | str | None = None
    times: int | None = None  # None: until cleared
    retry_after: int = 5
    status: int = 500
    description: str | None = None
    hang_seconds: float = 30.0

    def error(self) -> ApiError:
        if self.kind == "retry_after":
            return too_many_requests(self.retry_after)
        if self.kind == "blocked":
            return ApiError(403, errors.BLOCKED)
        if self.kind == "server_error":
            phrases = {500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout"}
            return ApiError(self.status, self.description or phrases.get(self.status, "Error"))
        if self.kind == "timeout":
            return ApiError(504, "Gateway Timeout")
        return ApiError(self.status, self.description or "Bad Request: injected error")

    def to_view(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, method: str, kind: str, **options: Any) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(KINDS)}")
        fault = Fault(id=next(self._ids), method=method, kind=kind, **options)
        self._faults.append(fault)
        return fault

    def clear(self, method: str | None = None) -> None:
        self._faults = [f for f in self._faults if method is not None and f.method != method]

    def list(self) -> list[Fault]:
        return list(self._faults)

    def take(self, method: str, chat_id: int | str | None) -> Fault | None:
        """The first rule matching this call, counting it as used."""
        for fault in self._faults:
            if fault.method not in ("*", method) and fault.method.lower() != method.lower():
                continue
            if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
                continue
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
            return fault
        return None
