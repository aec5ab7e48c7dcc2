"""Hypothesis drives the ledger with random transfers, repeats and overdrafts; after every step the
audit passes and each balance equals a plain Python model's."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adsbot.domain.ledger import AccountRef, AccountType, Posting
from adsbot.services.ledger import IdempotencyConflict, InsufficientFunds, transfer_now
from adsbot.services.ledger_audit import audit
from adsbot.storage.database import Database
from adsbot.storage.engine import create_sync_engine
from tests import harness
from tests.ledger.helpers import FEES, NOW, TOPUPS, WRITEOFFS, earnings, escrow, funds, move

PAYOUTS = AccountRef.of(AccountType.PAYOUTS_PAID, "XTR")
ACCOUNTS = [
    funds(1),
    funds(2),
    earnings(1),
    earnings(2),
    escrow(1),
    escrow(2),
    FEES,
    WRITEOFFS,
    TOPUPS,
    PAYOUTS,
]
# The model's own statement of the rule (not the code under test's): who may go below zero.
MAY_GO_NEGATIVE = {
    "telegram_topups",
    "payouts_paid",
    "telegram_refunds",
    "demo_funding",
    "platform_writeoffs",
}

_runs = itertools.count()
posting_specs = st.lists(
    st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.integers(1, 400)).filter(
        lambda spec: spec[0] != spec[1]
    ),
    min_size=1,
    max_size=3,
)


class LedgerMachine(RuleBasedStateMachine):
    # Each example gets an empty database at head (Hypothesis replays examples while shrinking,
    # and a replay must start from the same state to behave the same).
    fresh_database: ClassVar[Callable[[], str]]
    steps: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        self.url = self.fresh_database()
        self.loop = asyncio.new_event_loop()
        self.database = Database.from_url(self.url)
        self.engine = create_sync_engine(self.url)
        self.prefix = f"run{next(_runs)}"
        self.keys = itertools.count()
        self.model: dict[tuple[str, int], int] = {}
        self.done: list[tuple[str, str, list[Posting], int]] = []

    def teardown(self) -> None:
        self.loop.run_until_complete(self.database.dispose())
        self.loop.close()
        self.engine.dispose()

    def _stored_balances(self) -> dict[tuple[str, int], int]:
        with self.engine.connect() as connection:
            rows = connection.execute(text("SELECT type, owner_id, balance FROM ledger_accounts"))
            return {(row.type, row.owner_id): row.balance for row in rows}

    def _transfer(self, key: str, postings: list[Posting], kind: str = "move") -> Any:
        LedgerMachine.steps += 1
        return self.loop.run_until_complete(
            transfer_now(self.database, key, postings, kind=kind, now=NOW)
        )

    def _expect(self, postings: list[Posting]) -> dict[tuple[str, int], int] | None:
        """The model's balances after the postings, or None if the ledger must refuse them."""
        after = dict(self.model)
        for p in postings:
            debit, credit = (
                (p.debit.type.value, p.debit.owner_id),
                (p.credit.type.value, p.credit.owner_id),
            )
            after[debit] = after.get(debit, 0) - p.amount.minor
            after[credit] = after.get(credit, 0) + p.amount.minor
        for (kind, _owner), value in after.items():
            if value < 0 and kind not in MAY_GO_NEGATIVE:
                return None
        return after

    def _attempt(self, postings: list[Posting]) -> None:
        key = f"{self.prefix}:{next(self.keys)}"
        expected = self._expect(postings)
        if expected is None:
            with pytest.raises(InsufficientFunds):
                self._transfer(key, postings)
            return
        result = self._transfer(key, postings)
        assert result.created
        self.model = expected
        self.done.append((key, "move", postings, result.transaction_id))

    @rule(user=st.sampled_from([1, 2]), amount=st.integers(1, 500))
    def top_up(self, user: int, amount: int) -> None:
        self._attempt([move(TOPUPS, funds(user), amount)])

    @rule(specs=posting_specs)
    def random_transfer(self, specs: list[tuple[AccountRef, AccountRef, int]]) -> None:
        self._attempt([move(debit, credit, amount) for debit, credit, amount in specs])

    @rule(
        account=st.sampled_from([a for a in ACCOUNTS if a.type not in MAY_GO_NEGATIVE]),
        extra=st.integers(1, 50),
    )
    def overdraw(self, account: AccountRef, extra: int) -> None:
        held = self.model.get((account.type.value, account.owner_id), 0)
        target = FEES if account != FEES else funds(1)
        self._attempt([move(account, target, held + extra)])

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def repeat_a_key(self, data: st.DataObject) -> None:
        key, kind, postings, transaction_id = data.draw(st.sampled_from(self.done))
        result = self._transfer(key, postings, kind)
        assert (result.transaction_id, result.created) == (transaction_id, False)

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def reuse_a_key_for_something_else(self, data: st.DataObject) -> None:
        key, kind, postings, _ = data.draw(st.sampled_from(self.done))
        first = postings[0]
        changed = [move(first.debit, first.credit, first.amount.minor + 1), *postings[1:]]
        with pytest.raises(IdempotencyConflict):
            self._transfer(key, changed, kind)

    @invariant()
    def the_ledger_audits_clean_and_matches_the_model(self) -> None:
        with self.engine.connect() as connection:
            assert audit(connection) == []
        stored = self._stored_balances()
        assert {k: v for k, v in stored.items() if v} == {k: v for k, v in self.model.items() if v}


def _run(fresh_database: Callable[[], str], examples: int, steps: int) -> int:
    LedgerMachine.fresh_database = staticmethod(fresh_database)  # type: ignore[assignment]
    LedgerMachine.steps = 0
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    return LedgerMachine.steps


def test_random_transfers_keep_every_invariant_on_sqlite(sqlite_url: str, tmp_path: Path) -> None:
    pristine = Path(make_url(sqlite_url).database or "")
    copies = itertools.count()

    def fresh() -> str:
        target = tmp_path / f"example-{next(copies)}.db"
        shutil.copyfile(pristine, target)
        return f"sqlite:///{target}"

    assert _run(fresh, examples=50, steps=60) >= 2000


@pytest.mark.postgres
def test_random_transfers_keep_every_invariant_on_postgres(_postgres_template: str) -> None:
    server = harness.postgres_server_url()
    assert server is not None
    copies = itertools.count()

    def fresh() -> str:
        name = f"stateful{next(copies)}"
        return harness.create_postgres_database(server, name, template=_postgres_template)

    assert _run(fresh, examples=12, steps=30) >= 200
