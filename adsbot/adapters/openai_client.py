"""The OpenAI client with explicit timeouts, and the start-up key check."""

from __future__ import annotations

import logging
from typing import Literal

import openai
from openai import AsyncOpenAI

from adsbot.settings import Settings

logger = logging.getLogger(__name__)

KeyStatus = Literal["valid", "invalid", "disabled", "unreachable"]
KEY_CHECK_TIMEOUT_SECONDS = 5.0


def build_client(settings: Settings, timeout: float | None = None) -> AsyncOpenAI | None:
    """None when no key is configured (the copywriter then uses templates)."""
    if settings.OPENAI_API_KEY is None:
        return None
    return AsyncOpenAI(
        api_key=settings.OPENAI_API_KEY.get_secret_value(),
        base_url=settings.OPENAI_BASE_URL and f"{settings.OPENAI_BASE_URL}",
        timeout=timeout if timeout is not None else settings.AI_TIMEOUT_SECONDS,
        max_retries=0,  # our own deadline and fallback decide; the SDK's retries would hide it
    )


async def check_key(settings: Settings) -> KeyStatus:
    """One cheap call (`models.retrieve`) with a short timeout."""
    client = build_client(settings, timeout=KEY_CHECK_TIMEOUT_SECONDS)
    if client is None:
        return "disabled"
    try:
        await client.models.retrieve(settings.OPENAI_MODEL)
    except openai.AuthenticationError:
        return "invalid"
    except openai.NotFoundError as exc:
        if exc.code == "model_not_found":
            # The key works; the model name does not. Still a valid key: say so in the log.
            logger.warning("OpenAI model %s not found; check OPENAI_MODEL", settings.OPENAI_MODEL)
            return "valid"
        # Any other 404 is no OpenAI answer at all: the key was never checked.
        logger.warning(
            "OpenAI not reachable at start-up: %s answered 404; check OPENAI_BASE_URL "
            "(it ends in /v1)",
            client.base_url,
        )
        return "unreachable"
    except (openai.APIConnectionError, openai.APITimeoutError, openai.APIStatusError) as exc:
        logger.warning("OpenAI not reachable at start-up: %s", type(exc).__name__)
        # The whole story for whoever runs at DEBUG; the log formatter removes the key.
        logger.debug("OpenAI key check at %s failed", client.base_url, exc_info=True)
        return "unreachable"
    finally:
        await client.close()
    return "valid"
