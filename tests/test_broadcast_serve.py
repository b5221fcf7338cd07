"""``sila serve`` sends broadcasts itself, and the console says when nobody is sending one.

A broadcast started from the console used to stay at 0/N forever unless somebody also ran
``sila broadcast work``. A real ``sila serve`` process (SQLite, the fake Twilio) now delivers it
with no other process; with ``SILA_BROADCAST_WORKER=off`` it leaves the rows alone, and the
broadcast page warns once due rows have waited 10 s untouched.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.packs import load_all
from bot.settings import load_settings
from storage import broadcasts as bs
from storage.broadcast_watch import unclaimed
from storage.db import Database, create_database
from tests.broadcast_seed import seed
from tests.browser import SilaServer
from tests.fakes import twilio_api as twa
from tests.harness import SMS_FROM, Harness, eventually
from tests.servers import SILA
from wiring.runtime import sync_associations


@pytest.fixture
async def twilio() -> AsyncIterator[twa.FakeTwilio]:
    fake = await twa.FakeTwilio().start()
    try:
        yield fake
    finally:
        await fake.close()


def server_env(twilio: twa.FakeTwilio, **extra: str) -> dict[str, str]:
    return {"SILA_TWILIO_ACCOUNT_SID": twa.ACCOUNT_SID, "SILA_TWILIO_AUTH_TOKEN": twa.AUTH_TOKEN,
            "SILA_TWILIO_API_BASE": twilio.url, "SILA_TWILIO_SMS_FROM_AMASS": SMS_FROM,
            "SILA_TELEGRAM_MODE": "off", **extra}


async def started_broadcast(srv: SilaServer, n: int) -> tuple[Database, str, list[str]]:
    """``n`` SMS recipients and a broadcast to them, started, written into the server's database."""
    subprocess.run([SILA, "migrate"], env=srv.env, check=True, capture_output=True)
    db = create_database(load_settings(env=srv.env))
    await sync_associations(db, load_all())
    addresses = await seed(db, channel="sms", n=n, city="جدة")
    bid = await bs.create(db, org="amass", name="تذكير", audience=bs.Audience(channels=("sms",)),
                          texts={"ar": "موعدكم غداً"}, template=None)
    bc = await bs.get(db, bid)
    assert bc is not None
    await bs.start_sending(db, bc)
    return db, bid, addresses


async def test_serve_sends_a_broadcast_with_no_other_worker(tmp_path: Path, twilio: twa.FakeTwilio) -> None:
    srv = SilaServer(tmp_path / "on", env=server_env(twilio))
    srv.data_dir.mkdir(parents=True)
    db, bid, addresses = await started_broadcast(srv, 12)
    try:
        await asyncio.to_thread(srv.start)

        async def done() -> bool:
            current = await bs.get(db, bid)
            return current is not None and current.status == "done"

        await eventually(done, timeout=60, interval=0.1)
        assert all(len(twilio.sent.get(a, [])) == 1 for a in addresses), "each recipient once"
        assert not await unclaimed(db, bid, grace=timedelta(0))
    finally:
        await asyncio.to_thread(srv.stop)
        await db.dispose()


async def test_worker_off_leaves_the_broadcast_to_dedicated_workers(tmp_path: Path, twilio: twa.FakeTwilio) -> None:
    srv = SilaServer(tmp_path / "off", env=server_env(twilio, SILA_BROADCAST_WORKER="off"))
    srv.data_dir.mkdir(parents=True)
    db, bid, _ = await started_broadcast(srv, 3)
    try:
        await asyncio.to_thread(srv.start)
        # a server's own worker claims due rows within its 0.25 s poll; give it ample time not to
        await asyncio.sleep(2)
        assert await bs.counts(db, bid) == {"queued": 3}
        assert twilio.messages == []
    finally:
        await asyncio.to_thread(srv.stop)
        await db.dispose()


async def test_console_warns_when_no_worker_claims_a_sending_broadcast(h: Harness) -> None:
    """The harness runs no broadcast worker: rows due for over 10 s bring the warning."""
    db = h.runtime.db
    assert db is not None
    await h.staff("coord@amass.sa", role="coordinator")
    await seed(db, channel="sms", n=3, city="جدة")
    ids = []
    for started in (datetime.now(UTC) - timedelta(seconds=30), datetime.now(UTC) + timedelta(seconds=30)):
        bid = await bs.create(db, org="amass", name="تذكير", audience=bs.Audience(channels=("sms",)),
                              texts={"ar": "موعدكم غداً"}, template=None)
        bc = await bs.get(db, bid)
        assert bc is not None
        await bs.start_sending(db, bc, at=started)
        ids.append(bid)
    a, _, _ = await h.login("coord@amass.sa")
    _, stale = await a.get(f"/console/broadcasts/{ids[0]}/progress")
    assert 'id="bc-unclaimed"' in stale and "لم يبدأ أي عامل" in stale
    _, fresh = await a.get(f"/console/broadcasts/{ids[1]}/progress")
    assert 'id="bc-unclaimed"' not in fresh, "a broadcast just due is not yet a worry"
