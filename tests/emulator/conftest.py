from adsbot.sandbox.emulator.testing import emulator, emulator_bot, fake_clock

__all__ = ["emulator", "emulator_bot", "fake_clock"]
