"""The catalogues: every key in both languages, the same placeholders, plural forms that work,
and a label for everything code refers to by key."""

from __future__ import annotations

import pytest
from telegram.ext import BaseHandler

from adsbot.bot.handlers import register_all
from adsbot.bot.i18n import LANGUAGES, catalogue, match_language, placeholders, t
from adsbot.bot.keyboards import MENU_KEYS
from adsbot.bot.legal import DOCUMENTS, legal_text
from adsbot.bot.profile import COMMANDS
from adsbot.domain.notifications import MUTABLE_CATEGORIES


def test_every_key_exists_in_both_languages() -> None:
    italian, english = catalogue("it"), catalogue("en")
    assert sorted(set(italian) - set(english)) == []
    assert sorted(set(english) - set(italian)) == []


def test_placeholders_and_plural_forms_match_across_languages() -> None:
    italian, english = catalogue("it"), catalogue("en")
    for key, entry in italian.items():
        other = english[key]
        assert placeholders(entry) == placeholders(other), key
        assert isinstance(entry, dict) == isinstance(other, dict), key
        if isinstance(entry, dict):
            assert isinstance(other, dict)
            assert set(entry) == set(other), key


def test_plural_forms_follow_the_count() -> None:
    assert t("it", "admin.audit.title", count=1) == "📜 <b>L'ultima azione</b>"
    assert t("it", "admin.audit.title", count=5) == "📜 <b>Le ultime 5 azioni</b>"
    assert t("en", "admin.audit.title", count=1) == "📜 <b>The latest action</b>"
    assert t("en", "admin.audit.title", count=0) == "📜 <b>The latest 0 actions</b>"


def test_user_values_are_escaped_and_numbers_pass() -> None:
    assert t("it", "start.welcome", name="<b>&</b>").startswith("👋 Ciao &lt;b&gt;&amp;&lt;/b&gt;!")
    assert "<code>42</code>" in t("en", "deeplink.ord", id=42)


@pytest.mark.parametrize(
    ("code", "language"),
    [("en-US", "en"), ("en", "en"), ("EN_gb", "en"), ("it", "it"), ("de", "it"), (None, "it")],
)
def test_language_is_matched_by_prefix_and_defaults_to_italian(
    code: str | None, language: str
) -> None:
    assert match_language(code) == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_everything_code_names_by_key_has_a_text(language: str) -> None:
    keys = catalogue(language)
    needed = [f"menu.{k}" for k in MENU_KEYS]
    needed += [f"settings.category.{c}" for c in MUTABLE_CATEGORIES]
    needed += [f"settings.language_name.{code}" for code in LANGUAGES]
    needed += [f"bot.commands.{c}" for c in COMMANDS]
    assert [key for key in needed if key not in keys] == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("document", DOCUMENTS)
def test_legal_texts_exist_in_both_languages_with_operator_details_filled_in(
    language: str, document: str
) -> None:
    text = legal_text(language, document)
    assert "{" not in text and "[Nome dell'operatore / Operator name]" in text
    assert len(text) < 4096


def test_every_handler_blocks(make_settings: object, tmp_path: object) -> None:
    """DESIGN section 3: "done" means done only if every handler runs with block=True."""
    from adsbot.adapters.clock import FakeClock
    from adsbot.adapters.telegram import TelegramHealth, build_application
    from adsbot.bot.deps import BotDeps
    from adsbot.storage.database import Database
    from adsbot.web.metrics import Metrics

    settings = make_settings(TELEGRAM_TOKEN="1:" + "a" * 30)  # type: ignore[operator]
    app = build_application("1:" + "a" * 30, "http://127.0.0.1:9", Metrics(), TelegramHealth())
    db = Database.from_url(settings.database_url)
    count = register_all(app, BotDeps(settings=settings, db=db, clock=FakeClock()))
    handlers: list[BaseHandler[object, object, object]] = [
        h for group in app.handlers.values() for h in group
    ]
    assert count == len(handlers) > 20
    assert [h for h in handlers if h.block is not True] == []
    assert all(block is True for _callback, block in app.error_handlers.items())
