"""The outbox delivery worker: sends what turns stored, exactly once where the provider allows.

Why an outbox: the engine commits a turn's replies in the same transaction as the inbound
message, so nothing is sent that was not stored and nothing stored is lost. This worker claims
due rows with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the
queue), renders each reply for the channel, sends it through the channel adapter and records
the provider's message id.

Failure handling, per provider answer:
- 429: wait what the provider says (``retry_after`` / ``Retry-After``), then retry;
- 5xx / network errors before sending: back off exponentially with jitter;
- a timeout after the request went out (the provider may have accepted it): Twilio can be
  asked, so the next attempt first looks the message up (a status callback that carried
  ``?outbox=<id>``, then the provider's message list) and re-sends only if it isn't there.
  Telegram cannot be asked, so a timeout is retried once and, if that also times out, the
  row is marked ``unknown`` rather than risk a third copy;
- Telegram 403 (bot blocked): the identity is marked unreachable and nothing more is sent;
- Twilio 21610 (recipient replied STOP to the carrier): the identity is marked opted out;
- Twilio 63016 / outside WhatsApp's 24-hour window: send the association's approved template
  for that message kind if one is configured, else hold the row (status ``held``) until the
  person writes again.
Replies of one conversation go out in order: each conversation has one lane at a time.

A reply may go out as several provider messages ("parts": Telegram splits text over 4096
characters, SMS is split by segments). Because a retry that started again at the first part
would send the person the parts that already arrived a second time, an error on part k carries
the ids of the parts the provider accepted before it (``SendError.sent_ids``). The worker keeps
them in the row's payload (``parts_sent``, ``parts_ids``) with the retry, and the next attempt
sends only the parts after them; the row's provider id is the last part's. The policies above
then apply to part k alone: Twilio reconciles only that part (and ignores callbacks of the parts
already known), Telegram re-sends only that part once. What remains is the crash window every
send has: a part accepted by the provider just before this process died is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.clock import utcnow
from bot.ids import id_time
from bot.records import OutboxItem
from bot.render import Capabilities, Rendered
from bot.types import Reply, reply_from_json
from channels.media import mask_phone
from channels.ratelimit import RateLimiter, take
from storage import delivery_state as ds
from storage.identities import IdentityFacts, identity_facts, record_subscription, set_unreachable
from wiring.metrics import DELIVERIES
from wiring.runtime import Runtime

log = logging.getLogger("sila.delivery")

WHATSAPP_WINDOW = timedelta(hours=24)
#: what the worker keeps in an outbox row's payload about a reply sent in several parts
PROGRESS_KEYS = ("parts_sent", "parts_ids")


@dataclass(frozen=True, slots=True)
class Template:
    """An approved WhatsApp template (Twilio Content API) to use outside the 24-hour window."""

    content_sid: str
    variables: Mapping[str, str] = field(default_factory=dict)


class SendError(Exception):
    """What went wrong with one send, classified for the worker."""

    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"
    TIMEOUT = "timeout"
    BLOCKED = "blocked"
    OPTED_OUT = "opted_out"
    NEEDS_TEMPLATE = "needs_template"
    PERMANENT = "permanent"

    def __init__(
        self, kind: str, detail: str = "", retry_after: float | None = None, *, sent_ids: Sequence[str] = (),
    ) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after
        #: provider ids of the leading parts the provider accepted before this error, in order
        self.sent_ids: tuple[str, ...] = tuple(sent_ids)

    def after(self, sent_ids: Sequence[str]) -> SendError:
        """This error, noting the parts already accepted (adapters raise it from their send loop)."""
        self.sent_ids = tuple(sent_ids)
        return self


class ChannelAdapter(Protocol):
    """What the worker needs from a push channel; adapters hold their SDK client."""

    #: "reconcile" (the provider can be asked whether a timed-out send arrived) | "retry_once"
    timeout_policy: str

    def can_send(self, org: str, channel: str) -> bool: ...

    def caps(self, channel: str) -> Capabilities: ...

    def parts(self, item: OutboxItem, reply: Reply) -> list[Rendered]: ...

    def rate_limits(self, item: OutboxItem) -> list[tuple[str, float, int]]: ...

    def needs_window(self, channel: str) -> bool: ...

    def template_for(self, item: OutboxItem) -> Template | None: ...

    async def send(self, item: OutboxItem, parts: list[Rendered], template: Template | None) -> str: ...

    async def reconcile(self, item: OutboxItem, parts: list[Rendered], *, since: datetime | None = None) -> str | None:
        """The provider's id of ``parts`` if they reached it (None if not, or if it cannot tell).

        ``since``: when the row came to exist; nothing the provider holds from before can be its send.
        """


class OutboxWorker:
    """Claims, sends and finishes outbox rows; ``wake()`` after a turn wrote some."""

    def __init__(
        self, runtime: Runtime, adapters: Mapping[str, ChannelAdapter], limiter: RateLimiter, *,
        poll_interval: float = 0.5, lease: timedelta = timedelta(seconds=60), batch: int = 50,
        max_in_flight: int = 200, backoff_base: float = 2.0, backoff_cap: float = 300.0,
        max_attempts: int = 10, reconcile_delay: float = 3.0, rate_wait: float = 2.0,
    ) -> None:
        self.runtime = runtime
        self.adapters = dict(adapters)
        self.limiter = limiter
        self.poll_interval = poll_interval
        self.lease = lease
        self.batch = batch
        self.max_in_flight = max_in_flight
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_attempts = max_attempts
        self.reconcile_delay = reconcile_delay
        self.rate_wait = rate_wait
        self.rng = random.Random()
        self._signal = asyncio.Event()
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._queues: dict[str, deque[OutboxItem]] = {}
        self._last_release = 0.0
        self._last_renew = 0.0
        #: every finished row as (outbox id, outcome), newest last; for tests and metrics
        self.finished: deque[tuple[str, str]] = deque(maxlen=10_000)

    # -- life cycle -----------------------------------------------------------------------
    def wake(self) -> None:
        self._signal.set()

    async def run(self) -> None:
        while True:
            self._signal.clear()
            try:
                claimed = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox claim failed; retrying")
                claimed = 0
            if claimed >= self.batch:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._signal.wait(), self.poll_interval)

    async def run_once(self) -> int:
        """Claim one batch and start sending it; returns how many rows were claimed."""
        await self._release_held()
        await self._renew_leases()
        room = self.max_in_flight - sum(len(q) for q in self._queues.values())
        if room <= 0:
            return 0
        if self.runtime.db is not None and not await ds.has_due(self.runtime.db):
            return 0
        items = await self.runtime.store.claim_outbox(min(self.batch, room), self.lease)
        for item in sorted(items, key=lambda i: i.id):
            lane = item.conversation_id
            queue = self._queues.setdefault(lane, deque())
            if any(held.id == item.id for held in queue):
                continue  # its lease ran out while it waited here; it is still ours to send, once
            queue.append(item)
            if lane not in self._lanes or self._lanes[lane].done():
                self._lanes[lane] = asyncio.get_running_loop().create_task(self._lane(lane), name=f"sila-send-{lane}")
        return len(items)

    async def drain(self, wait_s: float = 10.0) -> None:
        """Wait until every claimed row is finished (tests; graceful shutdown)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait_s):
                while self._lanes:
                    await asyncio.gather(*list(self._lanes.values()), return_exceptions=True)

    async def close(self, wait_s: float = 5.0) -> None:
        await self.drain(wait_s)
        for task in self._lanes.values():
            task.cancel()
        await asyncio.gather(*self._lanes.values(), return_exceptions=True)

    async def _lane(self, lane: str) -> None:
        queue = self._queues[lane]
        retry_at: datetime | None = None
        try:
            while queue:
                item = queue[0]
                if retry_at is not None:  # an earlier reply waits: keep the order
                    await self._finish(item, "retry", retry_at=retry_at, error="waiting for an earlier reply")
                else:
                    _outcome, retry_at = await self._deliver_safely(item)
                queue.popleft()
        finally:
            self._queues.pop(lane, None)
            self._lanes.pop(lane, None)

    async def _renew_leases(self) -> None:
        """Extend the lease of every row still waiting in (or being sent by) a lane, every lease/3.

        A lane sends its conversation's rows one after another; behind a slow provider the last
        of them could otherwise outlive the lease it was claimed with and be claimed again.
        """
        loop = asyncio.get_running_loop()
        db = self.runtime.db
        if db is None or not self._queues or loop.time() - self._last_renew < self.lease.total_seconds() / 3:
            return
        self._last_renew = loop.time()
        ids = [item.id for queue in self._queues.values() for item in queue]
        await ds.renew_outbox_leases(db, ids, utcnow() + self.lease)

    async def _release_held(self) -> None:
        loop = asyncio.get_running_loop()
        db = self.runtime.db
        if db is None or loop.time() - self._last_release < 2.0:
            return
        if not any(a.needs_window(ch) for ch, a in self.adapters.items()):
            return
        self._last_release = loop.time()
        released = await ds.release_held(db, WHATSAPP_WINDOW)
        if released:
            log.info("released %d held message(s): their window reopened", released)

    # -- one row --------------------------------------------------------------------------
    async def _deliver_safely(self, item: OutboxItem) -> tuple[str, datetime | None]:
        try:
            return await self.deliver(item)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivery of outbox %s crashed; retrying later", item.id)
            retry_at = utcnow() + timedelta(seconds=self._backoff(item.attempts))
            with contextlib.suppress(Exception):
                await self._finish(item, "retry", retry_at=retry_at, error="internal error")
            return "retry", retry_at

    async def deliver(self, item: OutboxItem) -> tuple[str, datetime | None]:
        """Send one row; returns (outcome, retry time when it was rescheduled)."""
        adapter = self.adapters.get(item.channel)
        if adapter is None or not adapter.can_send(item.org, item.channel):
            return await self._finish(item, "failed", error=f"{item.channel} not configured for {item.org}"), None
        db = self.runtime.db
        facts = await identity_facts(db, item.org, item.channel, item.address) if db else IdentityFacts()
        notification = bool(item.payload.get("notification"))
        if facts.blocked:
            return await self._finish(item, "undeliverable", error="recipient unreachable (blocked)"), None
        if notification and facts.opted_out_at is not None:
            return await self._finish(item, "skipped", error="recipient opted out"), None
        template = None
        if adapter.needs_window(item.channel) and not _in_window(facts):
            template = adapter.template_for(item)
            if template is None:
                return await self._finish(item, "held", error="outside the 24-hour window; no template"), None
        parts = adapter.parts(item, reply_from_json(item.payload))
        done_ids = _accepted_ids(item)  # parts an earlier attempt got accepted: never sent again
        done = len(done_ids)
        uncertain = await ds.uncertain_since(db, item.id) if db is not None and item.attempts > 1 else None
        if uncertain is not None and adapter.timeout_policy == "reconcile":
            # only part ``done`` can be the one that timed out; the ones before it are known
            found = await ds.provider_id_for_outbox(db, item.id, exclude=done_ids) if db else None
            found = found or await adapter.reconcile(item, parts[done:done + 1], since=id_time(item.id))
            if found in done_ids or (found and db is not None and await ds.sent_for_another_row(db, item, found)):
                found = None
            if db is not None:
                await ds.mark_uncertain(db, item.id, None)
            if found:
                log.info("outbox %s: timed-out send had arrived (%s); not re-sending", item.id, found)
                done_ids = _record_accepted(item, [found])
                done = len(done_ids)
                uncertain = None
        if done >= len(parts):
            return await self._sent(item, done_ids[-1]), None
        wait = await take(self.limiter, adapter.rate_limits(item), self.rate_wait)
        if wait > 0:
            retry_at = utcnow() + timedelta(seconds=wait)
            return await self._finish(item, "retry", retry_at=retry_at, error="local rate limit"), retry_at
        try:
            provider_id = await adapter.send(item, parts[done:], template)
        except SendError as exc:
            uncertain = await self._accepted(item, exc, uncertain)
            if exc.kind == SendError.NEEDS_TEMPLATE and template is None:
                template = adapter.template_for(item)
                if template is None:
                    return await self._finish(item, "held", error=exc.detail or "template required"), None
                try:
                    provider_id = await adapter.send(item, parts[len(_accepted_ids(item)):], template)
                except SendError as again:
                    uncertain = await self._accepted(item, again, uncertain)
                    return await self._failed(item, adapter, again, uncertain)
            else:
                return await self._failed(item, adapter, exc, uncertain)
        return await self._sent(item, provider_id), None

    async def _accepted(self, item: OutboxItem, exc: SendError, uncertain: datetime | None) -> datetime | None:
        """Note the parts the provider accepted before ``exc``; returns the uncertainty still in force.

        A send that got further than the part that timed out earlier has settled that part, so the
        timeout policy starts afresh for the part that failed now.
        """
        if not exc.sent_ids:
            return uncertain
        _record_accepted(item, exc.sent_ids)
        if uncertain is not None and self.runtime.db is not None:
            await ds.mark_uncertain(self.runtime.db, item.id, None)
        return None

    async def _sent(self, item: OutboxItem, provider_id: str) -> str:
        await self._finish(item, "sent", provider_id=provider_id)
        if self.runtime.db is not None:
            await ds.reapply_callbacks(self.runtime.db, item.org, item.channel, provider_id)
        return "sent"

    async def _failed(
        self, item: OutboxItem, adapter: ChannelAdapter, exc: SendError, uncertain: datetime | None,
    ) -> tuple[str, datetime | None]:
        db = self.runtime.db
        now = utcnow()
        who = mask_phone(item.address)
        if exc.kind == SendError.RATE_LIMITED:
            delay = exc.retry_after if exc.retry_after is not None else self._backoff(item.attempts)
            retry_at = now + timedelta(seconds=max(0.0, delay))
            log.info("outbox %s to %s: provider rate limit, retry in %.1fs", item.id, who, delay)
            return await self._finish(item, "retry", retry_at=retry_at, error=str(exc)), retry_at
        if exc.kind == SendError.TIMEOUT:
            if adapter.timeout_policy == "retry_once" and uncertain is not None:
                return await self._finish(item, "unknown", error="timed out twice; may or may not have arrived"), None
            if db is not None:
                await ds.mark_uncertain(db, item.id, now)
            delay = self.reconcile_delay if adapter.timeout_policy == "reconcile" else self._backoff(1)
            retry_at = now + timedelta(seconds=delay)
            return await self._finish(item, "retry", retry_at=retry_at, error=str(exc)), retry_at
        if exc.kind == SendError.TRANSIENT:
            if item.attempts >= self.max_attempts:
                return await self._finish(item, "failed", error=f"gave up after {item.attempts} attempts: {exc}"), None
            retry_at = now + timedelta(seconds=self._backoff(item.attempts))
            return await self._finish(item, "retry", retry_at=retry_at, error=str(exc)), retry_at
        if exc.kind == SendError.BLOCKED:
            if db is not None:
                await set_unreachable(db, item.org, item.channel, item.address, now)
            log.info("outbox %s: %s blocked us; marked unreachable", item.id, who)
            return await self._finish(item, "undeliverable", error=str(exc)), None
        if exc.kind == SendError.OPTED_OUT:
            if db is not None:
                await record_subscription(db, item.org, item.channel, item.address, opted_out=True, source="provider")
            log.info("outbox %s: %s opted out at the provider", item.id, who)
            return await self._finish(item, "undeliverable", error=str(exc)), None
        if exc.kind == SendError.NEEDS_TEMPLATE:
            return await self._finish(item, "held", error=str(exc)), None
        log.warning("outbox %s to %s failed permanently: %s", item.id, who, mask_phone(str(exc))[:200])
        return await self._finish(item, "failed", error=str(exc)), None

    def _backoff(self, attempts: int) -> float:
        """Exponential with jitter, so a provider outage isn't followed by a synchronised stampede."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** max(0, attempts - 1))
        return ceiling * self.rng.uniform(0.5, 1.0)

    async def _finish(
        self, item: OutboxItem, outcome: str, *, provider_id: str | None = None, error: str | None = None,
        retry_at: datetime | None = None,
    ) -> str:
        progress = {k: item.payload[k] for k in PROGRESS_KEYS if k in item.payload}
        await self.runtime.store.finish_outbox(
            item.id, status="pending" if outcome == "retry" else outcome, provider_message_id=provider_id,
            error=mask_phone(error) if error else None, retry_at=retry_at, payload_update=progress or None,
        )
        if retry_at is None:
            self.finished.append((item.id, outcome))
        DELIVERIES.labels(outcome, item.channel).inc()
        return outcome


def _accepted_ids(item: OutboxItem) -> list[str]:
    """Provider ids of the leading parts already accepted, as recorded in the row's payload."""
    ids = item.payload.get("parts_ids")
    return [str(i) for i in ids] if isinstance(ids, list) else []


def _record_accepted(item: OutboxItem, accepted: Sequence[str]) -> list[str]:
    """Record on ``item`` that the next parts were accepted (``_finish`` writes it to the row);
    ``parts_sent`` is written beside the ids for people reading the row."""
    done_ids = [*_accepted_ids(item), *accepted]
    item.payload = {**item.payload, "parts_sent": len(done_ids), "parts_ids": done_ids}
    return done_ids


def _in_window(facts: IdentityFacts, now: datetime | None = None) -> bool:
    if facts.last_inbound_at is None:
        return False
    return (now or utcnow()) - facts.last_inbound_at < WHATSAPP_WINDOW


def describe(worker: OutboxWorker) -> dict[str, Any]:
    """A small status snapshot (health endpoints, logs)."""
    return {"lanes": len(worker._lanes), "queued": sum(len(q) for q in worker._queues.values()),
            "adapters": sorted(worker.adapters)}
