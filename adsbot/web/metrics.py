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

    def observe_transaction(self, seconds: float, outcome: str) -> None:
        self.db_transactions.labels(outcome=outcome).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
