"""Prometheus metrics, on a registry built in the composition root (never the global default)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates_received = Counter(
            "adsbot_updates_received", "Updates stored in the inbox", ["source"], registry=r
        )
        self.updates_duplicate = Counter(
            "adsbot_updates_duplicate", "Updates dropped as repeats of a stored update", registry=r
        )
        self.updates_processed = Counter(
            "adsbot_updates_processed", "Updates handled to the end", registry=r
        )
        self.updates_failed = Counter(
            "adsbot_updates_failed", "Updates whose handling failed", ["reason"], registry=r
        )
        self.updates_throttled = Counter(
            "adsbot_updates_throttled", "Updates dropped by flood control", registry=r
        )
        self.handler_latency = Histogram(
            "adsbot_handler_seconds",
            "Time to handle one update",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.inbox_depth = Gauge("adsbot_inbox_depth", "Updates not yet handled", registry=r)
        self.inbox_lag = Gauge(
            "adsbot_inbox_lag_seconds", "Age of the oldest update not yet handled", registry=r
        )
        self.telegram_calls = Counter(
            "adsbot_telegram_api_calls", "Bot API calls", ["method", "result"], registry=r
        )
        self.db_transactions = Histogram(
            "adsbot_db_transaction_seconds",
            "Duration of units of work",
            ["outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

        # Messages out (the outbox sender) and periodic jobs.
        self.outbox_depth = Gauge("adsbot_outbox_depth", "Outbox messages not yet sent", registry=r)
        self.outbox_lag = Gauge(
            "adsbot_outbox_lag_seconds", "How long the oldest due message has waited", registry=r
        )
        self.outbox_sent = Counter(
            "adsbot_outbox_sent", "Outbox messages delivered", ["lane"], registry=r
        )
        self.outbox_failed = Counter(
            "adsbot_outbox_failed",
            "Outbox sends that did not deliver (429, retry, dead, blocked, unreachable)",
            ["reason"],
            registry=r,
        )
        self.outbox_rate_limited = Counter(
            "adsbot_outbox_429", "429 answers to outbox sends", registry=r
        )
        self.outbox_global_pauses = Counter(
            "adsbot_outbox_global_pauses", "Global pauses after 429s from several chats", registry=r
        )
        self.job_runs = Counter(
            "adsbot_job_runs", "Periodic job runs", ["job", "result"], registry=r
        )
        self.job_duration = Histogram(
            "adsbot_job_seconds",
            "Duration of periodic job runs",
            ["job"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

    def observe_transaction(self, seconds: float, outcome: str) -> None:
        self.db_transactions.labels(outcome=outcome).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
