"""The composition root: settings in, every long-lived object out. Nothing connects here;
`adsbot.runtime` starts and stops what this builds."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette

from adsbot.adapters.clock import Clock, SystemClock
from adsbot.adapters.telegram import BotApplication, TelegramHealth, build_application
from adsbot.bot.deps import BotDeps
from adsbot.bot.flood import FloodGate, stored_language
from adsbot.bot.handlers import register_all
from adsbot.bot.polling import Poller, polling_check
from adsbot.bot.worker import InboxWorker
from adsbot.jobs.outbox_sender import OutboxSender
from adsbot.jobs.registry import JOBS, JobContext, JobSpec
from adsbot.services.inbox import InboxWriter
from adsbot.settings import Settings
from adsbot.storage.database import Database
from adsbot.storage.engine import create_app_engine
from adsbot.web.app import build_web_app
from adsbot.web.metrics import Metrics
from adsbot.web.readiness import Readiness
from adsbot.web.runtime_checks import jobs_check, outbox_lag_check


@dataclass
class Components:
    settings: Settings
    clock: Clock
    db: Database
    metrics: Metrics
    health: TelegramHealth
    application: BotApplication
    worker: InboxWorker
    readiness: Readiness
    web: Starlette
    poller: Poller | None
    jobs: tuple[JobSpec, ...]
    job_context: JobContext
    handler_count: int
    sender: OutboxSender | None = None


def build(settings: Settings, clock: Clock | None = None) -> Components:
    if settings.TELEGRAM_TOKEN is None:
        raise ValueError("TELEGRAM_TOKEN is required to build the bot")
    clock = clock or SystemClock()
    metrics = Metrics()
    db = Database(create_app_engine(settings.database_url), metrics.observe_transaction)
    health = TelegramHealth()
    application = build_application(
        settings.TELEGRAM_TOKEN.get_secret_value(), settings.TELEGRAM_API_BASE_URL, metrics, health
    )
    handler_count = register_all(application, BotDeps(settings=settings, db=db, clock=clock))
    # Inbound flood control: a token bucket per user, checked after the update is stored.
    gate = FloodGate(
        application.bot,
        settings.flood_rate,
        stored_language(db, settings.DEFAULT_LANGUAGE),
        clock=clock,
    )
    inbox_writer = InboxWriter(db)  # group commit for the webhook's stores and the worker's marks
    worker = InboxWorker(
        db,
        application,
        clock,
        metrics,
        settings.INBOX_CONCURRENCY,
        gate=gate,
        writer=inbox_writer,
    )
    readiness = Readiness(settings, db, clock, health, metrics, probe=application.bot.get_me)
    # Messages out: one paced sender loop per process (started and stopped by the Runtime).
    sender = OutboxSender(db, application.bot, clock, metrics)
    readiness.extra_checks.append(
        outbox_lag_check(db, clock, metrics, settings.READY_MAX_OUTBOX_LAG_S)
    )
    readiness.extra_checks.append(jobs_check(db, clock, JOBS))
    secret = settings.WEBHOOK_SECRET.get_secret_value() if settings.WEBHOOK_SECRET else None
    web = build_web_app(
        db=db,
        clock=clock,
        metrics=metrics,
        readiness=readiness,
        webhook_secret=secret if settings.webhook_mode else None,
        store=inbox_writer.store,
        on_stored=worker.submit,
    )
    poller = (
        None
        if settings.webhook_mode
        else Poller(application.bot, db, clock, metrics, on_stored=worker.submit)
    )
    if poller is not None:
        readiness.extra_checks.append(polling_check(poller))
    return Components(
        settings=settings,
        clock=clock,
        db=db,
        metrics=metrics,
        health=health,
        application=application,
        worker=worker,
        readiness=readiness,
        web=web,
        poller=poller,
        jobs=JOBS,
        job_context=JobContext(
            db=db,
            clock=clock,
            worker_id=sender.worker_id,
            admin_ids=tuple(settings.ADMIN_IDS),
            sender=sender,
            metrics=metrics,
        ),
        handler_count=handler_count,
        sender=sender,
    )
