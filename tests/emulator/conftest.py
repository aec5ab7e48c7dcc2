import pytest

from adsbot.sandbox.emulator.testing import emulator, emulator_bot, fake_clock

__all__ = ["emulator", "emulator_bot", "fake_clock"]


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (an error under filterwarnings=error) whenever RetryAfter is built unless
    # durations are opted in as timedelta.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
