"""Bot API methods, one module per area; importing this package registers them all."""

from adsbot.sandbox.emulator.methods import bot, callbacks, messages, updates
from adsbot.sandbox.emulator.methods.base import METHODS, Answer, Call

__all__ = ["METHODS", "Answer", "Call", "bot", "callbacks", "messages", "updates"]
