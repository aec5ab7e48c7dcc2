"""Webhook benchmark: adsbot against a bare python-telegram-bot bot, both in their own processes.

The emulator runs in this process (rate limits OFF, so Telegram's limits do not cap the figures)
and notes when each reply reaches it. This process plays Telegram: it POSTs /start updates of
distinct new users to the bot's real webhook and measures from the POST to the reply arriving.

    .venv/bin/python bench/webhook.py [--updates 1000] [--rate 100] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adsbot.sandbox.emulator.runner import running_emulator  # noqa: E402
from adsbot.storage import migrate  # noqa: E402

TOKEN = "424242:BenchmarkToken_adsbot_webhook"
SECRET = "bench-secret"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**values: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(ADSBOT_ENV_FILE="/nonexistent/bench.env", PYTHONUNBUFFERED="1", **values)
    return env


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Arrivals:
    """When each reply reaches the emulator, by chat id."""

    def __init__(self, state: Any) -> None:
        self.times: dict[int, float] = {}
        self.event = asyncio.Event()
        original = state.add_message

        def add_message(chat: Any, sender: Any, *args: Any, **kwargs: Any) -> Any:
            message = original(chat, sender, *args, **kwargs)
            if getattr(sender, "is_bot", False):
                self.times.setdefault(chat.id, time.perf_counter())
                self.event.set()
            return message

        state.add_message = add_message


def update_for(update_id: int, user: Any) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": {
                "id": user.id,
                "is_bot": False,
                "first_name": user.first_name,
                "language_code": "it",
            },
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def wait_for(arrivals: Arrivals, chat_ids: list[int], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while not all(c in arrivals.times for c in chat_ids):
        if time.perf_counter() > deadline:
            missing = sum(c not in arrivals.times for c in chat_ids)
            raise TimeoutError(f"{missing} replies missing")
        arrivals.event.clear()
        try:
            await asyncio.wait_for(arrivals.event.wait(), 0.5)
        except TimeoutError:
            pass


class Load:
    def __init__(self, emulator: Any, arrivals: Arrivals, url: str) -> None:
        self.emulator = emulator
        self.arrivals = arrivals
        self.url = url
        self.next_update = 1_000_000
        self.client = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64))

    def new_users(self, count: int) -> list[Any]:
        users = []
        for _ in range(count):
            user = self.emulator.state.add_user(f"U{self.next_update}")
            self.emulator.state.chats[user.id].started = True  # as if they had opened the chat
            users.append(user)
            self.next_update += 1
        return users

    async def post(self, user: Any, sent: dict[int, float]) -> None:
        self.next_update += 1
        sent[user.id] = time.perf_counter()
        answer = await self.client.post(
            self.url,
            json=update_for(self.next_update, user),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        answer.raise_for_status()

    async def throughput(self, count: int, concurrency: int = 32) -> float:
        users = self.new_users(count)
        sent: dict[int, float] = {}
        queue = list(users)
        started = time.perf_counter()

        async def worker() -> None:
            while queue:
                await self.post(queue.pop(), sent)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        await wait_for(self.arrivals, [u.id for u in users], 120)
        elapsed = max(self.arrivals.times[u.id] for u in users) - started
        return count / elapsed

    async def latency(self, rate: float, seconds: float) -> tuple[float, float]:
        users = self.new_users(int(rate * seconds))
        sent: dict[int, float] = {}
        tasks = []
        started = time.perf_counter()
        for index, user in enumerate(users):
            due = started + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(self.post(user, sent)))
        await asyncio.gather(*tasks)
        await wait_for(self.arrivals, [u.id for u in users], 60)
        latencies = sorted((self.arrivals.times[u.id] - sent[u.id]) * 1000 for u in users)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        return statistics.median(latencies), p99


async def wait_line(proc: subprocess.Popen[str], fragment: str, timeout: float = 30) -> None:
    assert proc.stderr is not None or proc.stdout is not None
    stream = proc.stdout if fragment == "ready" else proc.stderr
    assert stream is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = await asyncio.to_thread(stream.readline)
        if fragment in line:
            return
        if not line and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
    raise TimeoutError(fragment)


async def measure(
    label: str, proc: subprocess.Popen[str], load: Load, args: argparse.Namespace
) -> dict[str, float]:
    await load.throughput(50)  # warm-up
    cpu_before = cpu_seconds(proc.pid)
    rate = await load.throughput(args.updates)
    cpu_ms = (cpu_seconds(proc.pid) - cpu_before) * 1000 / args.updates
    p50, p99 = await load.latency(args.rate, args.seconds)
    rss = peak_rss_mb(proc.pid)
    print(
        f"{label:8s} {rate:8.1f} updates/s   {cpu_ms:5.1f} ms CPU/update   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms at {args.rate:.0f}/s offered   peak RSS {rss:6.1f} MB"
    )
    return {"rate": rate, "p50": p50, "p99": p99, "rss": rss}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print("Emulator rate limits: OFF (the figures measure the bot, not Telegram's flood limits)")
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(db_url)
        async with running_emulator(rate_limits=False) as emulator:
            emulator.register_bot(TOKEN)
            arrivals = Arrivals(emulator.state)
            results = {}
            for label in ("adsbot", "bare PTB"):
                port = free_port()
                if label == "adsbot":
                    env = clean_env(
                        TELEGRAM_TOKEN=TOKEN,
                        TELEGRAM_API_BASE_URL=emulator.base_url,
                        WEBHOOK_URL=f"http://127.0.0.1:{port}/webhook/telegram",
                        WEBHOOK_SECRET=SECRET,
                        HOST="127.0.0.1",
                        PORT=str(port),
                        DATABASE_URL=db_url,
                        LOG_DIR=f"{tmp}/logs",
                        LOG_LEVEL="WARNING",
                        FLOOD_LIMIT="1000/1s",
                    )
                    command = [sys.executable, str(ROOT / "main.py")]
                    ready = "Conversation handlers registered"
                    env["LOG_LEVEL"] = "INFO"
                else:
                    env = clean_env()
                    command = [
                        sys.executable,
                        str(ROOT / "bench" / "bare_bot.py"),
                        str(port),
                        emulator.base_url,
                        TOKEN,
                        SECRET,
                    ]
                    ready = "ready"
                proc = subprocess.Popen(
                    command,
                    env=env,
                    cwd=tmp,
                    text=True,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
                try:
                    await wait_line(proc, ready)
                    for stream in (proc.stdout, proc.stderr):  # keep the pipes drained
                        threading.Thread(target=stream.read, daemon=True).start()
                    load = Load(emulator, arrivals, f"http://127.0.0.1:{port}/webhook/telegram")
                    results[label] = await measure(label, proc, load, args)
                    await load.client.aclose()
                finally:
                    proc.send_signal(signal.SIGTERM)
                    await asyncio.to_thread(proc.wait, 30)
                    for stream in (proc.stdout, proc.stderr):
                        if stream:
                            stream.close()
            ratio = results["adsbot"]["rate"] / results["bare PTB"]["rate"]
            ours = results["adsbot"]
            print(f"ratio adsbot / bare PTB: {ratio:.2f} (target >= 0.5)")
            print(
                f"targets: p99 < 50 ms: {'met' if ours['p99'] < 50 else 'MISSED'}; RSS < 150 MB: {'met' if ours['rss'] < 150 else 'MISSED'}"
            )


if __name__ == "__main__":
    asyncio.run(main())
