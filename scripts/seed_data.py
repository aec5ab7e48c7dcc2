"""Seed the demo personas into the configured database (= `adsbot seed`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adsbot.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["seed", *sys.argv[1:]]))
