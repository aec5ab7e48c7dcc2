"""The chat page in a real browser: Debian's chromium driven by Playwright (DESIGN section 6)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from adsbot.sandbox.launcher import running_sandbox

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_tried_install: list[bool] = []


def _chromium() -> str:
    """Debian's chromium and its colour emoji font, installed once with apt-get when missing
    (as root); a skip that says so where that cannot be done."""
    if not Path(CHROMIUM).exists() and not _tried_install and os.geteuid() == 0:
        _tried_install.append(True)
        if shutil.which("apt-get"):
            with contextlib.suppress(subprocess.TimeoutExpired):
                subprocess.run(
                    "apt-get update -qq && apt-get install -y -qq chromium fonts-noto-color-emoji",
                    shell=True,
                    check=False,
                    timeout=300,
                    capture_output=True,
                )
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser test needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    return CHROMIUM


async def test_chat_page_start_menu_and_language(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    executable = _chromium()
    playwright_api = pytest.importorskip("playwright.async_api")
    async with (
        running_sandbox(tmp_path / "sandbox-data") as sandbox,
        playwright_api.async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 900, "height": 900})
            expect = playwright_api.expect
            await page.goto(sandbox.url)
            await page.click("button[data-persona='new']")
            await page.fill("#text", "/start")
            await page.click("#send")
            menu = page.locator("button[data-callback='m:settings']")
            await expect(menu).to_be_visible(timeout=15_000)
            await expect(page.locator("#messages")).to_contain_text("Menu principale")

            # The menu message is edited in place: the help screen replaces it, no new message.
            count = await page.locator("#messages .msg").count()
            await page.wait_for_timeout(1100)
            await page.click("button[data-callback='m:help']")
            await expect(page.locator("#messages")).to_contain_text("Aiuto", timeout=15_000)
            assert await page.locator("#messages .msg").count() == count
            await page.wait_for_timeout(1100)
            await page.click("button[data-callback='m:home']")
            await expect(menu).to_be_visible(timeout=15_000)

            # The emulator enforces Telegram's ~1 message/s in a private chat: press at that pace.
            await page.wait_for_timeout(1100)
            await menu.click()
            await page.click("button[data-callback='set:lang']", timeout=15_000)
            await page.wait_for_timeout(1100)
            await page.click("button[data-callback='set:lang:en']")
            await expect(page.locator("#messages")).to_contain_text("Settings", timeout=15_000)
            await page.screenshot(path=str(tmp_path / "sandbox.png"), full_page=True)
            if keep := request.config.getoption("--save-screenshot"):
                shutil.copy(tmp_path / "sandbox.png", keep)
            assert await page.locator("#messages .msg.mine").count() == 1
        finally:
            await browser.close()
