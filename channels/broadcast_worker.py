"""The broadcast worker: sends a broadcast's recipient queue, shared by any number of workers.

Why PostgreSQL ``FOR UPDATE SKIP LOCKED`` over ``broadcast_recipients`` and not Redis Streams:
the recipient rows must exist anyway (per-recipient status, the report, the UNIQUE
``(broadcast_id, identity_id)`` idempotency key), so making the same rows the queue gives one
source of truth — there is no second copy to drift, no stream to trim or rebuild after a Redis
loss, and it is the mechanism the outbox already uses. A claim is one short transaction that
leases a batch (``status='sending'``, ``next_attempt_at = now + lease``, a ``claim_token`` new
with every claim); SKIP LOCKED lets concurrent workers take disjoint batches. While a worker
holds a row (in its local queue, up to two batches, or in a sender) it renews the lease every
``lease / 3``, so a lease runs out only when the worker dies (SIGKILL) or stalls; the row is
then claimable again — by any worker, the stalled one included. On SQLite the same code
runs with one worker (the writer lock serialises claims). Redis only carries the provider rate
limits (token buckets shared by every worker, :mod:`channels.ratelimit`).

Exactly once, per row:
1. claim (lease + token); 2. ``mark_attempt``: one fenced UPDATE that re-checks the opt-out *at
send time*, writes ``attempt_at`` and renews the lease just before the provider call; 3. send —
only while at least half of that renewed lease is left; 4. ``finish``, fenced by the token.
The token fences a *claim*, not a worker: a row whose lease ran out while it still waited in
a worker's local queue may be claimed again by that very worker. With a token per worker both
copies would pass the fence and both be sent; with a token per claim the stale copy's mark
finds the row ``lost``.
A row found claimed with ``attempt_at`` set may already have been sent:
Twilio is asked (the status callback that carried ``?outbox=<row id>``, then its message list)
and the message is re-sent only if it isn't there; Telegram cannot be asked, so such a row is
marked ``unknown`` rather than risk a second copy (at most once for the handful of sends in
flight at the instant a worker died).

Database writes are grouped, never weakened: the ``mark_attempt`` of senders that arrive while
one is in flight go together in the next (one UPDATE … RETURNING, the opt-out still checked
per row right before its send), and accepted sends are recorded ``sent`` in one executemany
transaction every ``flush_interval`` (or ``flush_rows``) — only after the provider accepted
them. A crash before that write leaves rows ``sending`` with ``attempt_at`` set: reconciled as
above, never re-sent blindly. The buffer is flushed when the worker stops.

Pause, resume and cancel: workers re-read the state of the broadcasts they work on with every
claim batch (at least every ``poll`` seconds) and check it before each send, so a change takes
effect within a second; claimed rows of a paused broadcast are handed back unsent.
Retries: 429 waits what the provider says and holds every sender of that channel for as long
(a storm of 429s slows the broadcast, nothing is dropped, 429s never count as failures);
5xx / network errors back off exponentially with jitter up to ``max_attempts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.ids import new_id
from bot.records import OutboxItem
from bot.types import Text, reply_to_json
from channels.delivery import ChannelAdapter, SendError
from channels.media import mask_phone
from channels.ratelimit import RateLimiter, TokenBatcher, take
from storage import broadcasts as bs
from storage.db import Database
from storage.delivery_state import provider_id_for_outbox
from storage.identities import record_subscription, set_unreachable
from wiring.metrics import BROADCAST_SENDS

log = logging.getLogger("sila.broadcast")


class BroadcastWorker:
    def __init__(
        self, db: Database, adapters: Mapping[str, ChannelAdapter], limiter: RateLimiter, *,
        concurrency: int = 32, batch: int = 200, lease: timedelta = timedelta(seconds=30), poll: float = 0.25,
        max_attempts: int = 8, backoff_base: float = 2.0, backoff_cap: float = 300.0, rate_wait: float = 5.0,
        burst_fraction: float = 0.1, flush_interval: float = 0.05, flush_rows: int = 200,
    ) -> None:
        self.db = db
        self.adapters = dict(adapters)
        self.limiter = limiter
        self.concurrency = concurrency
        self.batch = batch
        self.lease = lease
        self.poll = poll
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rate_wait = rate_wait
        self.burst_fraction = burst_fraction
        self.token = new_id()  # names this worker; each claim fences its rows with a token of its own
        self.rng = random.Random()
        self.queue: asyncio.Queue[bs.Claimed] = asyncio.Queue()
        self.states: dict[str, tuple[str, datetime | None]] = {}
        self.records: dict[str, bs.BroadcastRecord] = {}
        self.busy = 0
        self.held: set[tuple[str, str]] = set()  # (row id, claim token) claimed here, not yet done
        self.sent = 0
        self._cooldown: dict[str, float] = {}
        self._done_checked: dict[str, float] = {}
        self.tokens = TokenBatcher(limiter)
        self.marks = _GroupMarks(self)
        self.results = _SentBuffer(self, flush_interval, flush_rows)

    # -- life cycle -----------------------------------------------------------------------
    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        senders = [asyncio.create_task(self._sender(), name=f"sila-broadcast-send-{i}")
                   for i in range(self.concurrency)]
        flusher = asyncio.create_task(self.results.run(), name="sila-broadcast-flush")
        renewer = asyncio.create_task(self._renew_leases(), name="sila-broadcast-renew")
        try:
            while not stop.is_set():
                try:
                    claimed = await self.run_once()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("broadcast claim failed; retrying")
                    claimed = 0
                if claimed < self.batch // 2:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.poll)
                else:
                    await asyncio.sleep(0)
        finally:
            for task in senders:
                task.cancel()
            await asyncio.gather(*senders, return_exceptions=True)
            flusher.cancel()
            renewer.cancel()
            await asyncio.gather(flusher, renewer, return_exceptions=True)
            await self.marks.close()
            await self.results.flush(final=True)

    async def run_once(self) -> int:
        """Refresh broadcast states, then claim one batch if there is room; returns rows claimed."""
        self.states = await bs.states(self.db, set(self.records))
        now = utcnow()
        due = [bid for bid, (status, at) in self.states.items() if status == "sending" and (at is None or at <= now)]
        for bid in due:
            if bid not in self.records:
                record = await bs.get(self.db, bid)
                if record is not None:
                    self.records[bid] = record
        if self.queue.empty() and self.busy == 0:  # nothing of theirs in flight: forget finished ones
            for bid in [b for b, (status, _at) in self.states.items() if status in ("done", "cancelled")]:
                self.records.pop(bid, None)
        room = self.batch * 2 - self.queue.qsize()
        if not due or room < self.batch // 2:
            return 0
        rows = await bs.claim(self.db, due, min(room, self.batch), self.lease)
        for row in rows:
            self.held.add((row.id, row.token))
            self.queue.put_nowait(row)
        if not rows:
            await self._check_done(due)
        return len(rows)

    async def _check_done(self, due: list[str]) -> None:
        loop = asyncio.get_running_loop()
        for bid in due:
            if loop.time() - self._done_checked.get(bid, 0.0) < 1.0 or self.busy or self.queue.qsize():
                continue
            self._done_checked[bid] = loop.time()
            if await bs.finish_if_done(self.db, bid):
                log.info("broadcast %s finished", bid)

    async def _renew_leases(self) -> None:
        """Keep the leases of the rows held here from running out while they wait or are sent."""
        interval = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                await bs.renew(self.db, list(self.held), self.lease)
            except Exception:
                log.warning("renewing %d broadcast lease(s) failed; they may be claimed again", len(self.held))

    async def idle(self) -> bool:
        return self.queue.empty() and self.busy == 0

    async def _sender(self) -> None:
        while True:
            row = await self.queue.get()
            self.busy += 1
            try:
                await self.deliver(row)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broadcast row %s crashed; retrying later", row.id)
                with contextlib.suppress(Exception):
                    await bs.finish(self.db, row.id, row.token, "queued", error="internal error",
                                    retry_at=utcnow() + timedelta(seconds=self._backoff(row.attempts)),
                                    keep_attempt=True)
            finally:
                self.held.discard((row.id, row.token))
                self.busy -= 1

    # -- one recipient --------------------------------------------------------------------
    def _item(self, row: bs.Claimed, record: bs.BroadcastRecord) -> OutboxItem:
        payload = {**reply_to_json(Text(record.text_for(row.lang))), "notification": True, "kind": "broadcast"}
        if record.template:
            payload["template"] = record.template
        return OutboxItem(id=row.id, message_id="", conversation_id="", org=row.org, channel=row.channel,
                          address=row.address, payload=payload, attempts=row.attempts, status="sending")

    async def deliver(self, row: bs.Claimed) -> str:
        state = self.states.get(row.broadcast_id, ("sending", None))[0]
        record = self.records.get(row.broadcast_id)
        if state != "sending" or record is None:
            await bs.release(self.db, row.id, row.token, "cancelled" if state == "cancelled" else "queued")
            return "released"
        adapter = self.adapters.get(row.channel)
        if adapter is None or not adapter.can_send(row.org, row.channel):
            return await self._finish(row, "failed", error=f"{row.channel} not configured for {row.org}")
        item = self._item(row, record)
        parts = adapter.parts(item, Text(item.payload["text"]))
        template = None
        if adapter.needs_window(row.channel) and not _in_window(row.last_inbound_at):
            template = adapter.template_for(item)
            if template is None:
                return await self._finish(row, "failed", error="outside the WhatsApp 24-hour window; no template")
        if row.attempt_at is not None:  # a previous attempt may have reached the provider
            if adapter.timeout_policy != "reconcile":
                return await self._finish(row, "unknown", error="a send was interrupted; the provider cannot "
                                                                "be asked whether it arrived, so it is not repeated")
            found = await provider_id_for_outbox(self.db, row.id) or await adapter.reconcile(
                item, parts, since=record.started_at or record.created_at)
            if found:
                return await self._finish(row, "sent", provider_id=found)
        key = await self._wait_cooldown(adapter, item)
        limits = [(k, rate, max(1, min(burst, int(rate * self.burst_fraction))))
                  for k, rate, burst in adapter.rate_limits(item)]
        if self.tokens.limiter is not self.limiter:  # replaced after construction (tests)
            self.tokens = TokenBatcher(self.limiter)
        wait = await take(self.tokens, limits, self.rate_wait)
        if wait > 0:
            return await self._finish(row, "retry", error="local rate limit",
                                      retry_at=utcnow() + timedelta(seconds=wait), keep=row.attempt_at is not None)
        if self.states.get(row.broadcast_id, ("sending", None))[0] != "sending":
            await bs.release(self.db, row.id, row.token, "queued")
            return "released"
        loop = asyncio.get_running_loop()
        asked = loop.time()  # the renewed lease runs from a moment after this one
        mark = await self.marks.mark(row)
        if mark == "opted_out":
            return await self._finish(row, "skipped", error="recipient opted out or became unreachable")
        if mark == "lost":
            return "lost"
        if loop.time() - asked > self.lease.total_seconds() / 2:  # too little lease left to send safely
            return await self._finish(row, "retry", error="marked too late to send within the lease",
                                      retry_at=utcnow(), keep=row.attempt_at is not None)
        try:
            provider_id = await adapter.send(item, parts, template)
        except SendError as exc:
            return await self._failed(row, adapter, key, exc)
        self.sent += 1
        self.results.add(row, provider_id)  # written with others within flush_interval
        return "sent"

    async def _failed(self, row: bs.Claimed, adapter: ChannelAdapter, key: str, exc: SendError) -> str:
        now = utcnow()
        if exc.kind == SendError.RATE_LIMITED:
            delay = exc.retry_after if exc.retry_after is not None else self._backoff(1)
            loop = asyncio.get_running_loop()
            self._cooldown[key] = max(self._cooldown.get(key, 0.0), loop.time() + delay)
            return await self._finish(row, "retry", error=str(exc), retry_at=now + timedelta(seconds=delay))
        if exc.kind == SendError.TIMEOUT:
            if adapter.timeout_policy != "reconcile" and row.attempts > 1:
                return await self._finish(row, "unknown", error="timed out twice; may or may not have arrived")
            return await self._finish(row, "retry", error=str(exc), keep=True,
                                      retry_at=now + timedelta(seconds=min(self._backoff(1), 5.0)))
        if exc.kind == SendError.TRANSIENT:
            if row.attempts >= self.max_attempts:
                return await self._finish(row, "failed", error=f"gave up after {row.attempts} attempts: {exc}")
            return await self._finish(row, "retry", error=str(exc),
                                      retry_at=now + timedelta(seconds=self._backoff(row.attempts)))
        if exc.kind == SendError.BLOCKED:
            await set_unreachable(self.db, row.org, row.channel, row.address, now)
            return await self._finish(row, "failed", error=f"blocked: {exc}")
        if exc.kind == SendError.OPTED_OUT:
            await record_subscription(self.db, row.org, row.channel, row.address, opted_out=True, source="provider")
            return await self._finish(row, "skipped", error=f"opted out at the provider: {exc}")
        if exc.kind == SendError.NEEDS_TEMPLATE:
            return await self._finish(row, "failed", error=f"outside the WhatsApp window, no template: {exc}")
        log.warning("broadcast row %s to %s failed: %s", row.id, mask_phone(row.address), mask_phone(str(exc))[:200])
        return await self._finish(row, "failed", error=str(exc))

    async def _wait_cooldown(self, adapter: ChannelAdapter, item: OutboxItem) -> str:
        limits = adapter.rate_limits(item)
        key = limits[0][0] if limits else item.channel
        loop = asyncio.get_running_loop()
        for _ in range(100):  # a 429 elsewhere may extend the cooldown while this sender waits
            until = self._cooldown.get(key, 0.0)
            if until <= loop.time():
                break
            await asyncio.sleep(until - loop.time())
        return key

    def _backoff(self, attempts: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** max(0, attempts - 1))
        return ceiling * self.rng.uniform(0.5, 1.0)

    async def _finish(self, row: bs.Claimed, outcome: str, *, provider_id: str | None = None,
                      error: str | None = None, retry_at: datetime | None = None, keep: bool = False) -> str:
        await bs.finish(self.db, row.id, row.token, outcome, provider_id=provider_id,
                        error=mask_phone(error) if error else None, retry_at=retry_at, keep_attempt=keep)
        BROADCAST_SENDS.labels(outcome).inc()
        return outcome


class _GroupMarks:
    """Group commit for ``mark_attempt``: marks asked for while one is in flight go in the next."""

    def __init__(self, worker: BroadcastWorker, max_rows: int = 500) -> None:
        self.worker = worker
        self.max_rows = max_rows
        self.pending: list[tuple[tuple[str, str], asyncio.Future[str]]] = []
        self.task: asyncio.Task[None] | None = None

    async def mark(self, row: bs.Claimed) -> str:
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.pending.append(((row.id, row.token), future))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._drain(), name="sila-broadcast-mark")
        return await future

    async def _drain(self) -> None:
        w = self.worker
        while self.pending:
            batch, self.pending = self.pending[: self.max_rows], self.pending[self.max_rows:]
            try:
                result = await bs.mark_attempts(w.db, [c for c, _f in batch], w.lease)
            except BaseException as exc:
                for _i, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else asyncio.CancelledError())
                if not isinstance(exc, Exception):
                    raise
                continue
            for c, future in batch:
                if not future.done():
                    future.set_result(result[c])

    async def close(self) -> None:
        if self.task is not None and not self.task.done():
            await asyncio.gather(self.task, return_exceptions=True)


class _SentBuffer:
    """Accepted sends waiting to be recorded ``sent``: one executemany transaction per flush.

    Rows get here only after the provider accepted them. Until the flush they stay ``sending``
    with ``attempt_at`` set and a lease far longer than ``interval``, so a crash in between is
    reconciled (status callback, the provider's message list), not re-sent.
    """

    def __init__(self, worker: BroadcastWorker, interval: float, max_rows: int) -> None:
        self.worker = worker
        self.interval = interval
        self.max_rows = max_rows
        self.rows: list[tuple[str, str, str]] = []  # (row id, claim token, provider id)
        self.full = asyncio.Event()

    def add(self, row: bs.Claimed, provider_id: str) -> None:
        self.rows.append((row.id, row.token, provider_id))
        if len(self.rows) >= self.max_rows:
            self.full.set()

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.full.wait(), self.interval)
            self.full.clear()
            await self.flush()

    async def flush(self, final: bool = False) -> None:
        for attempt in range(3 if final else 1):
            if not self.rows:
                return
            rows, self.rows = self.rows, []
            try:
                await bs.finish_sent(self.worker.db, rows)
                return
            except asyncio.CancelledError:
                self.rows[:0] = rows
                raise
            except Exception:
                self.rows[:0] = rows  # kept for the next flush; the leases are far longer
                log.exception("recording %d sent broadcast row(s) failed; retrying", len(rows))
                if final and attempt < 2:
                    await asyncio.sleep(0.5)


def _in_window(last_inbound_at: datetime | None, now: datetime | None = None) -> bool:
    return last_inbound_at is not None and (now or utcnow()) - last_inbound_at < bs.WHATSAPP_WINDOW
