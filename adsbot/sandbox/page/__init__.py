"""The sandbox's chat page: a Starlette app in front of the emulator's control API."""
