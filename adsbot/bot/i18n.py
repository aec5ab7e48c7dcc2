"""Keyed text catalogues, one TOML file per language (bot/texts/it.toml, en.toml).

A key names a text (`start.welcome`); placeholders use `{name}`; a text with plural forms is a
table with `one` and `other` and is chosen by the `count` parameter. Missing keys and placeholder
mismatches are caught by a test over both catalogues, not at run time.
"""

from __future__ import annotations

import html
import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"
_TEXTS = Path(__file__).parent / "texts"

Entry = str | dict[str, str]


def match_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Telegram's language_code matched by prefix (`en-US` → `en`); anything else → default."""
    if code:
        prefix = code.split("-")[0].split("_")[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return default


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Entry]:
    flat: dict[str, Entry] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, str):
            flat[name] = value
        elif (
            isinstance(value, dict) and set(value) <= {"zero", "one", "other"} and "other" in value
        ):
            flat[name] = {form: str(text) for form, text in value.items()}
        elif isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            raise TypeError(f"catalogue entry {name} must be text or a table")
    return flat


@cache
def catalogue(language: str) -> dict[str, Entry]:
    with (_TEXTS / f"{language}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def placeholders(entry: Entry) -> set[str]:
    texts = entry.values() if isinstance(entry, dict) else [entry]
    found: set[str] = set()
    for text in texts:
        found.update(name for _, name, _, _ in string.Formatter().parse(text) if name)
    return found


def _plural_form(language: str, count: int) -> str:
    # Italian and English share the rule: 1 is singular, everything else plural.
    return "one" if count == 1 else "other"


def t(language: str, key: str, /, **params: Any) -> str:
    """The text for `key` in `language` (falling back to Italian), with parameters filled in."""
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    entry = catalogue(lang).get(key)
    if entry is None:
        entry = catalogue(DEFAULT_LANGUAGE)[key]
    if isinstance(entry, dict):
        count = int(params["count"])
        form = "zero" if count == 0 and "zero" in entry else _plural_form(lang, count)
        entry = entry[form]
    if not params:
        return entry
    # Every text is HTML: user-supplied values are escaped, numbers pass through.
    safe = {k: html.escape(v, quote=False) if isinstance(v, str) else v for k, v in params.items()}
    return entry.format(**safe)
