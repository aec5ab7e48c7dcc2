"""The start-up OpenAI check against the project's fake OpenAI server: a real call, and only
OpenAI's own answers count as a verdict on the key."""

from __future__ import annotations

from typing import Any

import pytest

from adsbot.adapters.openai_client import check_key
from adsbot.sandbox.emulator.runner import serve_asgi
from adsbot.sandbox.fake_openai import build_fake_openai


@pytest.mark.parametrize(
    ("key", "model", "path", "expected"),
    [
        ("sk-test-good", "gpt-5-mini", "/v1", "valid"),
        ("sk-wrong", "gpt-5-mini", "/v1", "invalid"),
        ("sk-test-good", "no-such-model", "/v1", "valid"),  # the key works, the model does not
        ("sk-test-good", "gpt-5-mini", "", "unreachable"),  # no /v1: not OpenAI answering
    ],
)
async def test_the_key_check_believes_only_openais_own_answers(
    make_settings: Any, key: str, model: str, path: str, expected: str
) -> None:
    async with serve_asgi(build_fake_openai(models={"gpt-5-mini"})) as port:
        settings = make_settings(
            OPENAI_API_KEY=key, OPENAI_MODEL=model, OPENAI_BASE_URL=f"http://127.0.0.1:{port}{path}"
        )
        assert await check_key(settings) == expected


async def test_no_key_means_the_copywriter_is_disabled(make_settings: Any) -> None:
    assert await check_key(make_settings()) == "disabled"
