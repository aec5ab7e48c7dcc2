"""Terms and privacy texts: the operator edits one file, `adsbot/bot/texts/legal.toml`.

Its `[operator]` table holds the operator's details; the `[it]` and `[en]` tables hold the texts,
which may use any operator field as a `{placeholder}` (escaped for HTML when filled in).
See docs/OPERATOR.md, "Legal texts".
"""

from __future__ import annotations

import html
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from adsbot.bot.i18n import DEFAULT_LANGUAGE, LANGUAGES

LEGAL_FILE = Path(__file__).parent / "texts" / "legal.toml"
DOCUMENTS = ("terms", "privacy")


@cache
def _load() -> dict[str, Any]:
    with LEGAL_FILE.open("rb") as handle:
        return tomllib.load(handle)


def operator_fields() -> dict[str, str]:
    return {key: str(value) for key, value in _load()["operator"].items()}


def legal_text(language: str, document: str) -> str:
    """The `terms` or `privacy` text in `language`, operator details filled in."""
    if document not in DOCUMENTS:
        raise ValueError(f"unknown legal document {document!r}")
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    template = str(_load()[lang][document])
    fields = {key: html.escape(value, quote=False) for key, value in operator_fields().items()}
    return template.format(**fields).strip()
