"""Timers: scheduled with the change, claimed with a lease, run once; no-retry kinds go to the
admins instead of running twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adsbot.adapters.clock import FakeClock
from adsbot.jobs.sweeper import sweep
from adsbot.services import timers
from adsbot.storage.database import Database
from adsbot.storage.models import OutboxMessage, Timer
from tests.timers.conftest import Ctx


async def _schedule(db: Database, clock: FakeClock, kind: str, ref_id: int, in_s: float) -> None:
    async with db.unit_of_work() as uow:
        await timers.schedule(
            uow, kind, ref_id, clock.now() + timedelta(seconds=in_s), now=clock.now()
        )
        await uow.commit()


async def _timers(db: Database) -> list[Timer]:
    async with db.unit_of_work(read_only=True) as uow:
        return list((await uow.session.execute(select(Timer).order_by(Timer.id))).scalars())


async def _alerts(db: Database) -> list[tuple[int, str]]:
    async with db.unit_of_work(read_only=True) as uow:
        rows = await uow.session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.template_key).order_by(OutboxMessage.id)
        )
        return [(chat_id, key) for chat_id, key in rows]


async def test_a_rolled_back_schedule_leaves_no_timer(database: Database) -> None:
    clock = FakeClock()
    async with database.unit_of_work() as uow:
        await timers.schedule(uow, "k", 1, clock.now(), now=clock.now())
    assert await _timers(database) == []


async def test_scheduling_again_moves_a_pending_deadline_but_not_a_finished_one(
    database: Database,
) -> None:
    clock = FakeClock()
    ctx = Ctx(database, clock)
    ctx.record("k")
    await _schedule(database, clock, "k", 1, 60)
    await _schedule(database, clock, "k", 1, 10)
    (timer,) = await _timers(database)
    assert timer.due_at == clock.now() + timedelta(seconds=10)
    clock.advance(seconds=10)
    await sweep(ctx, clock.now())
    await _schedule(database, clock, "k", 1, 5)  # already done: stays done
    clock.advance(seconds=5)
    await sweep(ctx, clock.now())
    assert ctx.ran == [("k", 1)]


async def test_only_due_timers_run_each_once_and_a_second_sweep_is_a_no_op(
    database: Database,
) -> None:
    clock = FakeClock()
    ctx = Ctx(database, clock)
    ctx.record("k")
    for ref_id, in_s in ((1, -5), (2, 0), (3, 30)):
        await _schedule(database, clock, "k", ref_id, in_s)
    first = await sweep(ctx, clock.now())
    again = await sweep(ctx, clock.now())
    assert (first.claimed, first.done, again.claimed) == (2, 2, 0)
    assert ctx.ran == [("k", 1), ("k", 2)]
    assert [(t.ref_id, t.outcome) for t in await _timers(database)] == [
        (1, "done"),
        (2, "done"),
        (3, None),
    ]


async def test_a_cancelled_timer_never_runs(database: Database) -> None:
    clock = FakeClock()
    ctx = Ctx(database, clock)
    ctx.record("k")
    await _schedule(database, clock, "k", 1, 0)
    async with database.unit_of_work() as uow:
        assert await timers.cancel(uow, "k", 1, now=clock.now())
        await uow.commit()
    assert (await sweep(ctx, clock.now())).claimed == 0
    assert ctx.ran == []


async def test_unknown_kinds_are_left_alone(database: Database) -> None:
    clock = FakeClock()
    ctx = Ctx(database, clock)
    await _schedule(database, clock, "from_a_newer_version", 1, 0)
    assert (await sweep(ctx, clock.now())).claimed == 0


async def test_a_lease_keeps_others_off_until_it_expires_then_the_timer_is_retried(
    database: Database,
) -> None:
    clock = FakeClock()
    await _schedule(database, clock, "k", 1, 0)
    kinds = Ctx(database, clock).timer_kinds
    Ctx(database, clock, timer_kinds=kinds).record("k")
    lease = timedelta(minutes=5)
    (mine,) = await timers.claim_due(database, clock.now(), "a", 10, kinds, lease)
    clock.advance(minutes=4)
    assert await timers.claim_due(database, clock.now(), "b", 10, kinds, lease) == []
    clock.advance(minutes=2)  # "a" died: its lease ran out
    (theirs,) = await timers.claim_due(database, clock.now(), "b", 10, kinds, lease)
    assert (theirs.id, theirs.attempts) == (mine.id, 2)
    assert await timers.complete(database, "a", [mine.id], clock.now()) == 0  # lease lost
    assert await timers.complete(database, "b", [theirs.id], clock.now()) == 1


async def test_a_no_retry_timer_whose_claim_expired_goes_to_the_admins_not_to_a_second_run(
    database: Database,
) -> None:
    clock = FakeClock()
    ctx = Ctx(database, clock)
    ctx.record("post_ad", no_retry=True)
    await _schedule(database, clock, "post_ad", 77, 0)
    # A sweeper claims it and dies before finishing (the claim was committed first).
    await timers.claim_due(database, clock.now(), "dead-sweeper", 10, ctx.timer_kinds)
    clock.advance(minutes=6)
    result = await sweep(ctx, clock.now())
    again = await sweep(ctx, clock.now())
    assert (result.claimed, result.stuck, again.stuck) == (0, 1, 0)
    assert ctx.ran == []
    (timer,) = await _timers(database)
    assert timer.outcome == "stuck" and timer.done_at == clock.now()
    assert await _alerts(database) == [
        (9001, "admin_alerts.timer_stuck"),
        (9002, "admin_alerts.timer_stuck"),
    ]


async def test_a_failing_no_retry_handler_is_stuck_at_once(database: Database) -> None:
    clock = FakeClock()
    ctx = Ctx(database, clock)
    ctx.record("post_ad", fail=True, no_retry=True)
    await _schedule(database, clock, "post_ad", 1, 0)
    assert (await sweep(ctx, clock.now())).stuck == 1
    clock.advance(hours=1)
    await sweep(ctx, clock.now())
    assert ctx.ran == [("post_ad", 1)]
    assert len(await _alerts(database)) == 2


async def test_a_failing_handler_is_retried_with_backoff_then_failed_and_reported(
    database: Database,
) -> None:
    clock = FakeClock()
    ctx = Ctx(database, clock)
    ctx.record("k", fail=True)  # max_attempts=3
    await _schedule(database, clock, "k", 1, 0)
    outcomes = []
    for _ in range(3):
        result = await sweep(ctx, clock.now())
        outcomes.append((result.retried, result.failed))
        (timer,) = await _timers(database)
        clock.set(max(clock.now(), timer.due_at))
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    (timer,) = await _timers(database)
    assert (timer.outcome, timer.attempts) == ("failed", 3)
    assert "handler failed" in (timer.last_error or "")
    assert [key for _, key in await _alerts(database)] == ["admin_alerts.timer_failed"] * 2


async def test_a_pass_that_runs_short_of_lease_gives_the_rest_back_and_keeps_what_it_did(
    database: Database,
) -> None:
    """A slow handler eats the lease: the pass stops before another process could claim the
    same timers, gives back those it did not run, and its finished no-retry timer is done."""
    clock = FakeClock()
    ctx = Ctx(database, clock)

    async def slow(_ctx: object, timer: timers.ClaimedTimer) -> None:
        ctx.ran.append((timer.kind, timer.ref_id))
        clock.advance(minutes=4, seconds=30)  # past 80% of the 5-minute lease

    ctx.timer_kinds.register("post", slow, no_retry=True)
    for ref_id in (1, 2, 3):
        await _schedule(database, clock, "post", ref_id, -1)
    result = await sweep(ctx, clock.now())
    assert ctx.ran == [("post", 1)] and result.done == 1
    first, *rest = await _timers(database)
    assert first.outcome == "done" and first.done_at is not None
    assert [(t.done_at, t.claimed_until, t.last_error) for t in rest] == [
        (None, None, "lease ran short")
    ] * 2
    assert await _alerts(database) == []  # nothing looks stuck
    await sweep(ctx, clock.now())
    assert ctx.ran == [("post", 1), ("post", 2)]  # the next pass goes on (one per lease here)
