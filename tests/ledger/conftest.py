"""Every ledger test ends with the ledger audit on the database it used."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

_DATABASE_FIXTURES = ("database_url", "sqlite_url", "postgres_url")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ledger_tampered: the test breaks the ledger on purpose; skip the final audit"
    )


@pytest.fixture(autouse=True)
def _audit_after_each_test(
    request: pytest.FixtureRequest, assert_ledger_balanced: Callable[[str], None]
) -> Iterator[None]:
    # Resolve the URLs now: asked for after the test, they may already be torn down.
    urls = [request.getfixturevalue(n) for n in _DATABASE_FIXTURES if n in request.fixturenames]
    yield
    if request.node.get_closest_marker("ledger_tampered"):
        return
    for url in urls:
        assert_ledger_balanced(url)
