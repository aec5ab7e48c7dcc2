"""Every button the bot sends in these screens is pressed once, and every press is answered.

The crawler starts from /start, presses each button it has not pressed yet by replaying the
path of presses that led to it, and collects the buttons of each screen it reaches.
"""

from __future__ import annotations

from typing import Any

import pytest

from adsbot.bot.i18n import t
from adsbot.runtime import Runtime
from tests.bot.helpers import ADMIN_ID, Person, data_of

# Buttons that appear only after typed input (the crawler does not type): tested in test_admin.
NEEDS_TYPING = ("adm:dur:",)


async def crawl(person: Person) -> dict[str, str]:
    """Press every reachable button once; return data -> the toast or text it produced."""
    seen: dict[str, str] = {}
    queue: list[list[str]] = [[]]
    while queue:
        path = queue.pop(0)
        screen = await person.command("start")
        for data in path:
            pressed = await person.press(data)
            assert pressed.answer.answered, data
            screen = pressed.screen
            seen[data] = (pressed.answer.answer or {}).get("text") or screen.text or ""
        for data in data_of(screen):
            if data not in seen and not data.startswith(NEEDS_TYPING):
                seen[data] = ""
                queue.append([*path, data])
        await person.command("cancel")  # leave no prompt waiting for the next replay
    return seen


@pytest.mark.parametrize(("language_code", "who"), [("it", "user"), ("en-GB", "admin")])
async def test_the_crawler_presses_every_button_and_each_press_is_answered(
    running_bot: Runtime, emulator: Any, language_code: str, who: str
) -> None:
    user_id = ADMIN_ID if who == "admin" else None
    person = await Person.create(emulator, "Crawler", language_code=language_code, user_id=user_id)
    seen = await crawl(person)
    await person.driver.assert_callbacks_answered()
    expected = {
        "m:market", "m:campaigns", "m:channels", "m:wallet", "m:stats", "m:settings", "m:help",
        "m:home", "set:lang", "set:lang:it", "set:lang:en", "set:tz", "set:tz:UTC", "set:tzt",
        "set:notif", "set:mute:news:1", "help:pub", "help:adv", "help:terms", "help:privacy",
        "help:support", "cancel",
    }  # fmt: skip
    if who == "admin":
        expected |= {"m:admin", "adm:home", "adm:users", "adm:susp", "adm:unsusp", "adm:audit"}
        expected |= {"adm:chan", "adm:orders", "adm:disp", "adm:wd", "adm:bcast", "adm:jobs"}
    else:
        assert not any(d.startswith(("adm:", "m:admin")) for d in seen)
    assert expected <= set(seen), sorted(expected - set(seen))
    assert all(text for text in seen.values())  # every press showed or said something
    stale = {t(language, "errors.stale_button") for language in ("it", "en")}
    assert [data for data, said in seen.items() if said in stale] == []  # nothing went stale
