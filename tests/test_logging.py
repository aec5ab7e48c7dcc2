from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from adsbot.logs import RedactingFormatter, configure_logging

TOKEN = "123456789:AAHsecretPARTofTHEtoken_abcdefghij"
SECRET = "webhook-secret-value"
KEY = "sk-openai-secret-key"


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_secrets_are_redacted_from_messages_and_tracebacks(
    make_settings: object,
    tmp_path: Path,
    restore_root_logger: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(  # type: ignore[operator]
        TELEGRAM_TOKEN=TOKEN,
        WEBHOOK_SECRET=SECRET,
        OPENAI_API_KEY=KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
    )
    configure_logging(settings)
    log = logging.getLogger("adsbot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise ConnectionError(f"failed https://x/bot{TOKEN}/send secret={SECRET} key={KEY}")
    except ConnectionError:
        log.exception("request failed")
    log.warning("half of it: %s", TOKEN.split(":")[1])
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = capsys.readouterr().err
    files = {p.name: p.read_text() for p in (tmp_path / "logs").iterdir()}
    assert set(files) == {"adsbot.log", "error.log"}
    for text in (written, *files.values()):
        for secret in (TOKEN, TOKEN.split(":")[1], SECRET, KEY):
            assert secret not in text
    assert "request failed" in files["error.log"] and "calling" not in files["error.log"]
    assert "Traceback" in files["adsbot.log"] and "***" in files["adsbot.log"]


def test_an_unknown_bot_token_shape_in_a_url_is_still_masked() -> None:
    formatter = RedactingFormatter([])
    assert (
        formatter.redact("GET /bot987654321:ABCdefGHIjklMNOpqrSTUvwxYZ/getMe")
        == "GET /bot***/getMe"
    )


def test_httpx_request_lines_are_silenced(make_settings: object, restore_root_logger: None) -> None:
    configure_logging(make_settings(), to_files=False)  # type: ignore[operator]
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.WARNING


@pytest.fixture
def restore_hooks() -> Iterator[None]:
    import sys
    import threading

    hooks = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = hooks
    logging.captureWarnings(False)


def test_uncaught_exceptions_are_redacted_too(
    make_settings: object,
    restore_root_logger: None,
    restore_hooks: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sys
    import threading

    configure_logging(make_settings(TELEGRAM_TOKEN=TOKEN), to_files=False)  # type: ignore[operator]
    # What Python calls on an uncaught exception, in the main thread and in another thread.
    try:
        raise ConnectionError(f"failed https://x/bot{TOKEN}/getMe")
    except ConnectionError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
        thread_args = (type(exc), exc, exc.__traceback__, threading.current_thread())
        threading.excepthook(threading.ExceptHookArgs(thread_args))
    written = capsys.readouterr().err
    assert written.count("Traceback") == 2 and "Uncaught exception in thread" in written
    assert TOKEN.split(":")[1] not in written and "***" in written
