"""All handlers, registered in one visible order.

Group -1 runs first for every update (the suspension guard). In group 0 the first handler that
matches wins, so specific handlers come before the catch-alls at the end. Every handler is
registered with block=True: the inbox worker marks an update done only when its handlers finish.
"""

from __future__ import annotations

from telegram.ext import Application

from adsbot.bot.deps import BotDeps
from adsbot.bot.handlers import (
    admin,
    campaigns,
    channels,
    errors,
    guard,
    help,
    market,
    menu,
    reachability,
    settings,
    start,
    stats,
    support,
    talk,
    wallet,
)
from adsbot.bot.handlers.common import Steps


def register_all(application: Application, deps: BotDeps) -> int:  # type: ignore[type-arg]
    """Register every handler; return how many there are."""
    steps = Steps()  # typed-text steps, filled in by the modules that start them
    talk.register_step_end(application, deps, steps)  # group -3: navigating away ends a step
    reachability.register(application, deps)  # group -2: writing to us makes a user reachable
    guard.register(application, deps)  # group -1: suspended users stop here
    start.register(application, deps)  # /start and deep links
    talk.register_cancel(application, deps)  # /cancel and the cancel button, from anywhere
    admin.register(application, deps, steps)  # /admin and adm:*, behind one ADMIN_IDS check
    menu.register(application, deps)  # m:home, the way back
    # One module per main-menu key (DESIGN section 2), in menu order.
    market.register(application, deps)
    campaigns.register(application, deps)
    channels.register(application, deps)
    wallet.register(application, deps)
    stats.register(application, deps)
    settings.register(application, deps, steps)
    help.register(application, deps)
    support.register(application, deps, steps)
    # Catch-alls, last: presses nobody claimed, unknown commands, typed text.
    menu.register_fallback(application, deps)
    talk.register_text(application, deps, steps)
    errors.register(application, deps)  # the global error handler
    return sum(len(group) for group in application.handlers.values())
