"""``sila broadcast …``: create, preview, send, watch and steer coordinator broadcasts.

Every refusal (empty audience, missing template, text too long, schedule in the past, a
second send) is one line on stderr with a non-zero exit, raised before anything is queued.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from app.common import CliError, known_packs, open_database
from bot.clock import RIYADH
from bot.render import sms_segments
from bot.settings import Settings, load_settings
from bot.types import PUSH_CHANNELS
from storage import broadcasts as bs
from storage.db import Database
from wiring.broadcasts import (
    BroadcastRefused,
    check_new,
    cost_per_segment,
    create_checked,
    mask_address,
    parse_at,
    send_checked,
    summarize_counts,
    write_csv,
)


def _csv_list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


async def _load(db: Database, broadcast_id: str) -> bs.BroadcastRecord:
    bc = await bs.get(db, broadcast_id)
    if bc is None:
        raise BroadcastRefused(f"no broadcast {broadcast_id}")
    return bc


# -- commands ----------------------------------------------------------------------------------
async def create(settings: Settings, args: argparse.Namespace) -> int:
    from wiring.runtime import sync_associations

    packs = known_packs(settings, [args.org])
    texts = {lang: t for lang, t in (("ar", args.text_ar), ("en", args.text_en)) if t and t.strip()}
    audience = bs.Audience(
        channels=_csv_list(args.channel), case_status=_csv_list(args.case_status), city=_csv_list(args.city),
        lang=_csv_list(args.lang), contacted_within_days=args.contacted_within,
        not_contacted_within_days=args.not_contacted_within,
    )
    check_new(settings, args.org, texts, audience, args.template)
    async with open_database(settings) as db:
        await sync_associations(db, packs)
        bid = await create_checked(db, org=args.org, name=args.name, audience=audience, texts=texts,
                                   template=args.template)
    print(bid)
    return 0


def _print_preview(settings: Settings, bc: bs.BroadcastRecord, summary: bs.AudienceSummary, out: TextIO) -> None:
    price, currency, priced = cost_per_segment(settings)
    print(f"broadcast {bc.id} ({bc.org}) '{bc.name}': {bc.status}", file=out)
    print(f"recipients: {summary.total}", file=out)
    for (channel, lang), n in sorted(summary.by_channel_lang.items()):
        print(f"  {channel:<9} {lang}: {n}", file=out)
    segments_total = 0
    for (channel, lang), n in sorted(summary.by_channel_lang.items()):
        text = bc.text_for(lang)
        if channel == "sms":
            encoding, segs = sms_segments(text)
            segments_total += segs * n
            print(f"  sms {lang}: {len(text)} characters, {encoding}, {segs} segment(s) per message", file=out)
        elif channel == "whatsapp" and summary.whatsapp_outside_window:
            print(f"  whatsapp: {summary.whatsapp_outside_window} outside the 24-hour window → template "
                  f"{bc.template or '(none given: send will refuse)'}", file=out)
    if segments_total:
        cost = f"{segments_total * price:,.2f} {currency}" if priced else "unknown (set SILA_SMS_COST_PER_SEGMENT)"
        print(f"SMS: {segments_total} segment(s), estimated cost {cost}", file=out)
    print("sample:", file=out)
    for channel, address, lang in summary.sample:
        print(f"  {channel:<9} {mask_address(address)}  {lang}: {bc.text_for(lang)[:60]}", file=out)


async def preview(settings: Settings, args: argparse.Namespace) -> int:
    async with open_database(settings) as db:
        bc = await _load(db, args.id)
        summary = await bs.summarize(db, bc.org, bc.audience)
    _print_preview(settings, bc, summary, sys.stdout)
    return 0


async def send(settings: Settings, args: argparse.Namespace) -> int:
    at = parse_at(args.at) if args.at else None
    async with open_database(settings) as db:
        bc = await _load(db, args.id)
        total, summary = await send_checked(settings, db, bc, at)
        _print_preview(settings, bc, summary, sys.stdout)
    when = f"scheduled for {at.astimezone(RIYADH).isoformat()}" if at else "sending now"
    print(f"queued {total} recipient(s); {when} (workers: `sila broadcast work`)")
    return 0


async def change_state(settings: Settings, args: argparse.Namespace) -> int:
    async with open_database(settings) as db:
        try:
            status = await bs.set_state(db, args.id, args.broadcast_command)
        except bs.BroadcastError as exc:
            raise BroadcastRefused(str(exc)) from None
    print(f"broadcast {args.id}: {status}")
    return 0


async def status(settings: Settings, args: argparse.Namespace) -> int:
    async with open_database(settings) as db:
        bc = await _load(db, args.id)
        if args.watch:
            await _watch(db, bc)
            bc = await _load(db, args.id)
        c = summarize_counts(await bs.counts(db, bc.id))
        print(f"broadcast {bc.id} ({bc.org}) '{bc.name}': {bc.status}"
              + (f", scheduled for {bc.scheduled_at.astimezone(RIYADH).isoformat()}"
                 if bc.scheduled_at and bc.status == "sending" and bc.scheduled_at > datetime.now(UTC) else ""))
        print("  " + "  ".join(f"{k}={v}" for k, v in c.items()))
        if bc.started_at and bc.finished_at:
            seconds = max(0.001, (bc.finished_at - bc.started_at).total_seconds())
            print(f"  took {seconds:.1f}s ({c['sent'] / seconds:.1f} msg/s)")
        if args.csv:
            rows = await export_csv(db, bc.id, Path(args.csv), full=args.full_addresses)
            print(f"  report: {rows} row(s) written to {args.csv}")
    return 0


async def _watch(db: Database, bc: bs.BroadcastRecord) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("sent {task.fields[sent]} · delivered {task.fields[delivered]} · failed "
                          "{task.fields[failed]} · {task.fields[rate]:.1f} msg/s"), TimeRemainingColumn()]
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(bc.name[:30], total=max(1, bc.total), sent=0, delivered=0, failed=0, rate=0.0)
        while True:
            c = summarize_counts(await bs.counts(db, bc.id))
            now = datetime.now(UTC)
            rate = await bs.sent_since(db, bc.id, now - timedelta(seconds=10)) / 10
            finished = c["total"] - c["queued"]
            progress.update(task, completed=finished, total=max(1, c["total"]), sent=c["sent"],
                            delivered=c["delivered"], failed=c["failed"], rate=rate)
            current = await bs.get(db, bc.id)
            if current is None or current.status in ("done", "cancelled") or (c["queued"] == 0 and c["total"]):
                break
            await asyncio.sleep(1.0)


async def export_csv(db: Database, broadcast_id: str, path: Path, *, full: bool = False) -> int:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        return await write_csv(db, broadcast_id, fh, full=full)


@asynccontextmanager
async def push_adapters(settings: Settings) -> AsyncIterator[tuple[Any, dict[str, Any], Any]]:
    from channels.push import limiter_for, open_push_channels
    from wiring.runtime import open_runtime

    async with open_runtime(settings) as runtime, open_push_channels(
        runtime, run_worker=False, poll_telegram=False,
    ) as push:
        adapters = {"telegram": push.telegram, "whatsapp": push.twilio, "sms": push.twilio}
        yield runtime, adapters, limiter_for(runtime)


async def work(settings: Settings, args: argparse.Namespace) -> int:
    from channels.broadcast_worker import BroadcastWorker

    async with push_adapters(settings) as (runtime, adapters, limiter):
        worker = BroadcastWorker(runtime.db, adapters, limiter, concurrency=args.concurrency, batch=args.batch,
                                 lease=timedelta(seconds=args.lease))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if args.metrics_port:
            from prometheus_client import start_http_server

            from wiring.metrics import REGISTRY

            start_http_server(args.metrics_port, addr=settings.host, registry=REGISTRY)
        print(f"broadcast worker {worker.token} ready", flush=True)
        await worker.run(stop)
    return 0


async def test_send(settings: Settings, args: argparse.Namespace) -> int:
    from channels.broadcast_test import send_test  # the channel SDKs load only for this command

    async with push_adapters(settings) as (runtime, adapters, _limiter):
        bc = await _load(runtime.db, args.id)
        provider_id = await send_test(adapters, bc, args.channel, args.to, args.lang)
    print(f"test message sent to {mask_address(args.to)} on {args.channel}: {provider_id}")
    return 0


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Any]] = {
    "create": create, "preview": preview, "send": send, "status": status, "pause": change_state,
    "resume": change_state, "cancel": change_state, "work": work, "test": test_send,
}


def cmd_broadcast(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        return int(asyncio.run(COMMANDS[args.broadcast_command](settings, args)) or 0)
    except (BroadcastRefused, bs.BroadcastError) as exc:
        raise CliError(str(exc)) from None


def add_broadcast_parser(sub: Any) -> None:
    p = sub.add_parser("broadcast", help="coordinator broadcasts to segments of beneficiaries")
    bsub = p.add_subparsers(dest="broadcast_command", required=True)
    c = bsub.add_parser("create", help="create a draft broadcast; prints its id")
    c.add_argument("--org", required=True)
    c.add_argument("--name", required=True)
    c.add_argument("--text-ar")
    c.add_argument("--text-en")
    c.add_argument("--channel", help="telegram,whatsapp,sms (default: all)")
    c.add_argument("--case-status", help="only people with a case in these statuses, e.g. approved,needs_info")
    c.add_argument("--city", help="only people whose profile city is one of these")
    c.add_argument("--lang", help="ar,en")
    c.add_argument("--contacted-within", type=int, metavar="DAYS", help="wrote to us in the last DAYS days")
    c.add_argument("--not-contacted-within", type=int, metavar="DAYS", help="silent for at least DAYS days")
    c.add_argument("--template", help="WhatsApp template kind (SILA_TWILIO_TEMPLATES) outside the 24-hour window")
    for name, help_text in (("preview", "count, sample recipients, segments and cost"),
                            ("pause", "stop sending within a second"), ("resume", "continue a paused broadcast"),
                            ("cancel", "stop for good; unsent recipients become 'cancelled'")):
        bsub.add_parser(name, help=help_text).add_argument("id")
    s = bsub.add_parser("send", help="queue the broadcast (once), now or --at a later time")
    s.add_argument("id")
    s.add_argument("--at", help="ISO date-time; without an offset it is Saudi time (+03:00)")
    st = bsub.add_parser("status", help="progress and the final report")
    st.add_argument("id")
    st.add_argument("--watch", action="store_true", help="a live progress bar until the broadcast ends")
    st.add_argument("--csv", help="write the per-recipient report to this file")
    st.add_argument("--full-addresses", action="store_true", help="unmasked addresses in the CSV")
    t = bsub.add_parser("test", help="send the broadcast's text to one address (yourself)")
    t.add_argument("id")
    t.add_argument("--channel", required=True, choices=list(PUSH_CHANNELS))
    t.add_argument("--to", required=True, help="E.164 number, or a Telegram chat id")
    t.add_argument("--lang", default="ar", choices=["ar", "en"])
    w = bsub.add_parser("work", help="run a broadcast worker (any number may run against one database)")
    w.add_argument("--concurrency", type=int, default=32)
    w.add_argument("--batch", type=int, default=200)
    w.add_argument("--lease", type=float, default=30.0, help="seconds before a dead worker's rows are retaken")
    w.add_argument("--metrics-port", type=int, default=0,
                   help="serve Prometheus /metrics (send counts by outcome) on this port; 0: none")
    p.set_defaults(func=cmd_broadcast)
