"""Production entry (`make run`): run the bot against Telegram with the configured settings."""

import sys

from adsbot.app import main

if __name__ == "__main__":
    sys.exit(main())
