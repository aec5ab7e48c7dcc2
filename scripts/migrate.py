"""Upgrade the database to the latest revision (the staging plan's step 3.2)."""

import sys

from adsbot.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["migrate"]))
