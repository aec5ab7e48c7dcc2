"""Run `python main.py` as the staging plan does, in a child process with a built environment."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests import harness

ROOT = Path(__file__).resolve().parent.parent


class BotProcess:
    """`python main.py` in webhook mode; its stderr collected line by line."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.lines: list[str] = []
        self._proc: subprocess.Popen[str] | None = None

    @classmethod
    def webhook(
        cls,
        tmp_path: Path,
        *,
        api_base_url: str,
        database_url: str,
        token: str,
        secret: str,
        **extra: str,
    ) -> BotProcess:
        port = harness.free_port()
        env = harness.child_env(
            TELEGRAM_TOKEN=token,
            TELEGRAM_API_BASE_URL=api_base_url,
            WEBHOOK_URL=f"http://127.0.0.1:{port}/webhook/telegram",
            WEBHOOK_SECRET=secret,
            HOST="127.0.0.1",
            PORT=str(port),
            DATABASE_URL=database_url,
            LOG_DIR=str(tmp_path / "logs"),
            READY_GRACE_S="0",
            **extra,
        )
        return cls(env, tmp_path)

    @property
    def port(self) -> int:
        return int(self.env["PORT"])

    def start(self) -> BotProcess:
        self._proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py")],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for line in self._proc.stderr:
            self.lines.append(line.rstrip("\n"))

    async def wait_for_line(self, fragment: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if fragment in line:
                    return line
            if self._proc is not None and self._proc.poll() is not None:
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"no line with {fragment!r}; got:\n" + "\n".join(self.lines[-30:]))

    def signal(self, sig: signal.Signals) -> None:
        assert self._proc is not None
        self._proc.send_signal(sig)

    async def wait_exit(self, timeout: float = 30.0) -> int:
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        while self._proc.poll() is None:
            if time.monotonic() > deadline:
                self._proc.kill()
                raise AssertionError("bot did not exit in time:\n" + "\n".join(self.lines[-30:]))
            await asyncio.sleep(0.05)
        self._close_pipe()
        return int(self._proc.returncode)

    def _close_pipe(self) -> None:
        """Let the reader collect the last lines, then close the pipe (no ResourceWarning)."""
        self._reader.join(timeout=5)
        if self._proc is not None and self._proc.stderr is not None:
            self._proc.stderr.close()

    def kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        if self._proc is not None:
            self._close_pipe()
