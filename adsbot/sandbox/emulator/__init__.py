"""A strict Telegram Bot API emulator and a driver that acts as its users.

async with running_emulator(clock=FakeClock(), rate_limits=False) as emu:
    bot = telegram.Bot(TOKEN, base_url=emu.api_url, base_file_url=emu.file_url)
    user = await emu.driver.create_user("Giulia")
    await emu.driver.send_command(user, "start")
"""

from adsbot.sandbox.emulator.app import Emulator
from adsbot.sandbox.emulator.delivery import DeliveryPolicy
from adsbot.sandbox.emulator.driver import EmulatorDriver, EmulatorError
from adsbot.sandbox.emulator.runner import RunningEmulator, running_emulator
from adsbot.sandbox.emulator.views import CallbackView, MessageView, UserRef

__all__ = [
    "CallbackView",
    "DeliveryPolicy",
    "Emulator",
    "EmulatorDriver",
    "EmulatorError",
    "MessageView",
    "RunningEmulator",
    "UserRef",
    "running_emulator",
]
