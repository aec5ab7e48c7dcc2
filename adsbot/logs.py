"""Logging: stderr always, plus LOG_DIR/adsbot.log and LOG_DIR/error.log rotated daily.

Secrets are removed from the formatter's final string (message, arguments and traceback alike),
so no code path can leak them by logging an exception that carries a URL.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path
from types import TracebackType

from adsbot.settings import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s - %(message)s"
REDACTED = "***"
# Bot API URLs carry the token in their path: /bot123456:AAE.../sendMessage.
_TOKEN_IN_TEXT = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
# Loggers that print request URLs (and so the bot token) at INFO, and APScheduler, which logs
# every run of every 5-second job at INFO (the jobs table records runs instead).
_NOISY = ("httpx", "httpcore", "httpx2", "httpcore2", "openai._base_client", "apscheduler")
_OUR_MARK = "_adsbot_handler"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        # Longest first, so a token is replaced whole before its secret half is looked for.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_IN_TEXT.sub(REDACTED, text)


def configure_logging(settings: Settings, *, to_files: bool = True) -> None:
    """Install our handlers on the root logger, replacing any we installed before."""
    formatter = RedactingFormatter(settings.secret_values())
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OUR_MARK, False)]:
        root.removeHandler(handler)
        handler.close()

    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if to_files:
        log_dir = Path(settings.LOG_DIR)
        log_dir.mkdir(parents=True, exist_ok=True)
        for name, level in (("adsbot.log", logging.NOTSET), ("error.log", logging.ERROR)):
            file_handler = TimedRotatingFileHandler(
                log_dir / name,
                when="midnight",
                backupCount=settings.LOG_RETENTION_DAYS,
                encoding="utf-8",
                utc=True,
            )
            file_handler.setLevel(level)
            handlers.append(file_handler)
    for handler in handlers:
        handler.setFormatter(formatter)
        setattr(handler, _OUR_MARK, True)
        root.addHandler(handler)
    root.setLevel(settings.LOG_LEVEL)
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    _route_stray_output()


def _route_stray_output() -> None:
    """What Python would print to stderr itself goes through the redacting handlers instead:
    uncaught exceptions (main thread and other threads) and warnings. Their text can carry a
    URL with the token as easily as a logged traceback can."""
    crash = logging.getLogger("adsbot.crash")

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        crash.critical("Uncaught exception", exc_info=(kind, exc, tb))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "?"
        crash.critical(
            "Uncaught exception in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    logging.captureWarnings(True)
