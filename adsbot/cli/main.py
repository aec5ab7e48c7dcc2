"""The `adsbot` command: operator tools, one subcommand each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from adsbot.cli import backup_cmd, config_cmd, ledger_cmd, migrate_cmd, seed_cmd
from adsbot.settings import Settings, explain, load_settings

# Each command gets the validated settings (loaded once, here).
Command = Callable[[Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adsbot", description="adsbot operator tools")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="upgrade the database to the latest revision").set_defaults(
        handler=migrate_cmd.run
    )

    config = commands.add_parser("config", help="configuration tools")
    config_actions = config.add_subparsers(dest="action", required=True)
    config_actions.add_parser("check", help="show every setting with ✅/❌").set_defaults(
        handler=config_cmd.run
    )

    ledger = commands.add_parser("ledger", help="ledger tools")
    ledger_actions = ledger.add_subparsers(dest="action", required=True)
    ledger_actions.add_parser("audit", help="check the ledger's invariants").set_defaults(
        handler=ledger_cmd.audit
    )
    commands.add_parser(
        "backup", help="copy the database into BACKUP_DIR (safe while the bot runs)"
    ).set_defaults(handler=backup_cmd.run)
    commands.add_parser("seed", help="add the sandbox's demo users (idempotent)").set_defaults(
        handler=seed_cmd.run
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValueError as exc:
        print(f"❌ {explain(exc)}")
        return 1
    handler: Command = args.handler
    return handler(settings)


if __name__ == "__main__":
    sys.exit(main())
