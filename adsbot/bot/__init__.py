"""The Telegram side: handlers, keyboards and texts. Importing it builds nothing."""

__all__: list[str] = []
