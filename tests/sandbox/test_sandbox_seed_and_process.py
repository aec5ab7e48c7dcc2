"""The seed is idempotent; `python -m adsbot.sandbox` starts and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
from sqlalchemy import select, text

from adsbot.services.ledger_audit import run_audit
from adsbot.services.seed import load_personas, seed_url
from adsbot.storage import migrate
from adsbot.storage.engine import create_sync_engine
from tests import harness


def _rows(url: str) -> list[tuple[object, ...]]:
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    select(text("*")).select_from(text("users")).order_by(text("id"))
                )
            )
    finally:
        engine.dispose()


def test_seed_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    migrate.upgrade(url)
    seeded = [p for p in load_personas() if p.seed]
    assert seed_url(url) == len(seeded)
    first = _rows(url)
    assert seed_url(url) == 0
    assert _rows(url) == first
    assert {row[0] for row in first} == {p.id for p in seeded}
    engine = create_sync_engine(url)
    try:
        assert run_audit(engine).ok
    finally:
        engine.dispose()


def test_personas_cover_the_roles() -> None:
    personas = {p.key: p for p in load_personas()}
    assert {"publisher", "advertiser", "admin", "english", "new"} <= personas.keys()
    assert personas["admin"].admin and personas["english"].language == "en"
    assert not personas["new"].seed


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_sandbox_process_stops_on_sigterm(tmp_path: Path) -> None:
    page_port, emu_port = harness.free_port(), harness.free_port()
    env = harness.child_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}",
        SANDBOX_PORT=str(page_port),
        EMULATOR_PORT=str(emu_port),
    )
    process = subprocess.Popen(
        [harness.PYTHON, "-m", "adsbot.sandbox"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Ctrl-C to stop" in line:
                break
        assert f"http://127.0.0.1:{page_port}\n" in lines, "".join(lines)
        page = httpx.get(f"http://127.0.0.1:{page_port}/api/personas", trust_env=False)
        assert page.status_code == 200
        assert (tmp_path / "sandbox-data" / "sandbox.db").exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    assert _port_free(page_port) and _port_free(emu_port)
