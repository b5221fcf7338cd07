"""Prometheus metrics: what a platform operator watches (every one is listed in README.md).

The objects live here, on the wiring floor, so channels and the console can record into them;
the core (``bot/``) never imports Prometheus: a channel times the engine's turn and reads the
FAQ decision from the turn's outcome. Figures that storage keeps itself (Redis pipeline and
publish failures, database errors) are read from the running objects when ``/metrics`` is
scraped, as are the outbox's depth and age (one small query per scrape).

One registry of our own rather than the library's global one, so a test process that builds
several applications never registers a metric twice.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from bot.records import StoreUnavailable
from storage.models import Outbox
from wiring.runtime import Runtime

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

TURN_SECONDS = Histogram(
    "sila_turn_seconds", "Time to handle one inbound message, lock to commit to publish, by channel",
    ["channel"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TURN_ERRORS = Counter(
    "sila_turn_errors_total", "Turns not handled: 'unavailable' (Redis or the lock) or 'error' (anything else)",
    ["channel", "reason"], registry=REGISTRY,
)
FAQ_DECISIONS = Counter(
    "sila_faq_decisions_total", "FAQ decisions by kind (answer, suggest, handoff, flow, menu, fallback)",
    ["kind"], registry=REGISTRY,
)
DELIVERIES = Counter(
    "sila_deliveries_total", "Outbox sends finished, by outcome (sent, failed, held, undeliverable, ...) and channel",
    ["outcome", "provider"], registry=REGISTRY,
)
OPEN_SOCKETS = Gauge(
    "sila_open_sockets", "Open WebSockets by kind (webchat, console)", ["kind"], registry=REGISTRY,
)
BROADCAST_SENDS = Counter(
    "sila_broadcast_sends_total", "Broadcast messages finished by outcome (rate() of it is the send rate)",
    ["outcome"], registry=REGISTRY,
)


@dataclass(slots=True)
class TurnTimer:
    """Filled in by the caller: the engine's outcome, for the FAQ decision kind."""

    outcome: Any = None


@contextlib.contextmanager
def measure_turn(channel: str) -> Iterator[TurnTimer]:
    """Time a turn and count how it ended; use around ``engine.handle``."""
    timer = TurnTimer()
    start = time.perf_counter()
    try:
        yield timer
    except StoreUnavailable:
        TURN_ERRORS.labels(channel, "unavailable").inc()
        raise
    except Exception:
        TURN_ERRORS.labels(channel, "error").inc()
        raise
    TURN_SECONDS.labels(channel).observe(time.perf_counter() - start)
    decision = getattr(timer.outcome, "decision", None)
    kind = getattr(decision, "kind", None)
    if kind:
        FAQ_DECISIONS.labels(str(kind)).inc()


class _RuntimeCollector:
    """Figures read from the running objects at scrape time (see the module doc)."""

    def __init__(self, runtime: Runtime, outbox: tuple[int, float | None]) -> None:
        self.runtime = runtime
        self.outbox = outbox

    def collect(self) -> Iterator[Any]:
        depth, age = self.outbox
        yield GaugeMetricFamily("sila_outbox_depth", "Outbox rows waiting to be sent (pending or sending)",
                                value=depth)
        yield GaugeMetricFamily("sila_outbox_oldest_age_seconds",
                                "Age of the oldest outbox row still waiting (0 when none)", value=age or 0.0)
        redis = CounterMetricFamily("sila_redis_errors", "Redis failures seen by this worker", labels=["op"])
        batcher = getattr(self.runtime.locks, "batcher", None)
        redis.add_metric(["pipeline"], float(getattr(batcher, "errors", 0)))
        redis.add_metric(["publish"], float(getattr(self.runtime.bus, "publish_errors", 0)))
        yield redis
        db = self.runtime.db
        yield CounterMetricFamily("sila_database_errors", "Database errors raised to this worker",
                                  value=float(db.errors if db is not None else 0))
        bus_up = getattr(self.runtime.bus, "connected", None)
        if bus_up is not None:
            yield GaugeMetricFamily("sila_redis_subscribed", "1 while the worker's Redis subscription is up",
                                    value=1.0 if bus_up.is_set() else 0.0)


async def outbox_backlog(runtime: Runtime) -> tuple[int, float | None]:
    """How many push replies wait, and for how long the oldest has (seconds)."""
    if runtime.db is None:
        return 0, None
    stmt = select(func.count(), func.min(Outbox.created_at)).where(Outbox.status.in_(("pending", "sending")))
    async with runtime.db.reader.connect() as conn:
        count, oldest = (await conn.execute(stmt)).one()
    if oldest is None:
        return int(count), None
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(count), max(0.0, (datetime.now(UTC) - oldest).total_seconds())


async def render(runtime: Runtime) -> bytes:
    """The text exposition for ``/metrics``."""
    per_scrape = CollectorRegistry(auto_describe=False)
    per_scrape.register(_RuntimeCollector(runtime, await outbox_backlog(runtime)))
    return generate_latest(REGISTRY) + generate_latest(per_scrape)
