"""Data-subject rights: ``sila privacy export`` gives a person everything held about them,
``sila privacy erase`` leaves nothing of them in the database file, only pseudonymous counts."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from sqlalchemy import select, text

from bot.settings import load_settings
from storage.db import create_database
from tests.harness import Harness, running, transcript
from tests.scripted import NID, PHONE, SCRIPT, Channels, fill_form

NAME = "محمد عبدالله السالم"
DESCRIPTION = "أحتاج دعماً للعلاج"


async def request_over_sms(tmp_path: Path) -> None:
    """The person files a request over SMS and chats over WhatsApp, from the same phone."""
    async with running(tmp_path) as h:
        ch = Channels(h, None)  # type: ignore[arg-type]  # no web chat here
        for text_ in SCRIPT:
            await ch.send("sms", text_)
        assert "national_id" in await fill_form(ch, "sms")
        await ch.send("whatsapp", "السلام عليكم")


def sila(tmp_path: Path, *args: str, sila_bin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SILA_DATA_DIR": str(tmp_path), "SILA_SQLITE_SYNCHRONOUS": "NORMAL"}
    return subprocess.run([sila_bin, "privacy", *args], capture_output=True, text=True, env=env, timeout=120)


async def scalar(tmp_path: Path, sql: str) -> object:
    db = create_database(load_settings(env={}, data_dir=str(tmp_path)))
    try:
        async with db.reader.connect() as conn:
            return (await conn.execute(text(sql))).scalar()
    finally:
        await db.dispose()


async def test_export_gives_everything_with_the_id_opened(tmp_path: Path, sila_bin: str) -> None:
    await request_over_sms(tmp_path)
    out = tmp_path / "export.json"
    done = sila(tmp_path, "export", "--org", "amass", "--phone", "0512340001", "--out", str(out), sila_bin=sila_bin)
    assert done.returncode == 0, done.stderr
    assert "نسخة من بياناتك" in done.stdout and "A copy of your data" in done.stdout
    doc = json.loads(out.read_text())
    assert {i["channel"] for i in doc["identities"]} == {"sms", "whatsapp"}
    [case] = doc["cases"]
    assert case["national_id"] == NID and case["reference"].startswith("AMS-")
    assert case["declaration"]["text"] and case["consent"]["text"]
    assert any(DESCRIPTION in str(v) for v in case["data"].values()), "sealed answers are opened"
    texts = [m["text"] for c in doc["conversations"] for m in c["messages"]]
    assert NAME in texts and "السلام عليكم" in texts
    assert NID not in " ".join(texts), "the transcript only ever held the ID masked"
    assert any(a["action"] == "case.submit" for a in doc["audit"])
    assert doc["summary"]["ar"] and doc["summary"]["en"]
    # the same person found by their ID or their request's reference
    by_id = sila(tmp_path, "export", "--org", "amass", "--national-id", NID, sila_bin=sila_bin)
    assert json.loads(by_id.stdout)["cases"][0]["reference"] == case["reference"]
    by_ref = sila(tmp_path, "export", "--org", "amass", "--reference", case["reference"].lower(), sila_bin=sila_bin)
    assert {i["address"] for i in json.loads(by_ref.stdout)["identities"]} == {PHONE}
    assert await scalar(tmp_path, "SELECT count(*) FROM audit_log WHERE action = 'privacy.export'") == 3
    # nobody, and a malformed identifier, are one line each
    none = sila(tmp_path, "export", "--org", "amass", "--phone", "0599999999", sila_bin=sila_bin)
    assert none.returncode == 2 and "nobody found" in none.stderr and "Traceback" not in none.stderr
    bad = sila(tmp_path, "export", "--org", "amass", "--national-id", "1234567890", sila_bin=sila_bin)
    assert bad.returncode == 2 and "not a valid national ID" in bad.stderr


async def test_erase_leaves_no_byte_of_the_person(tmp_path: Path, sila_bin: str) -> None:
    await request_over_sms(tmp_path)
    reference = await scalar(tmp_path, "SELECT reference FROM cases")
    refused = sila(tmp_path, "erase", "--org", "amass", "--national-id", NID, sila_bin=sila_bin)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    done = sila(tmp_path, "erase", "--org", "amass", "--national-id", NID, "--yes", sila_bin=sila_bin)
    assert done.returncode == 0, done.stderr
    assert "erased" in done.stdout
    traces = [PHONE.encode(), PHONE[4:].encode(), NAME.encode(), DESCRIPTION.encode(), NID.encode()]
    for path in tmp_path.glob("sila.db*"):
        data = path.read_bytes()
        assert not [t.decode() for t in traces if t in data], f"{path.name} still holds the person's data"
    # what the association's figures count is still there, under a pseudonym
    assert await scalar(tmp_path, "SELECT count(*) FROM cases") == 1
    assert await scalar(tmp_path, "SELECT status FROM cases") == "cancelled"
    assert await scalar(tmp_path, "SELECT reference FROM cases") == reference
    assert await scalar(tmp_path, "SELECT count(*) FROM messages") == 0
    assert await scalar(tmp_path, "SELECT count(*) FROM audit_log WHERE action = 'case.submit'") == 1
    assert await scalar(tmp_path, "SELECT count(*) FROM audit_log WHERE action = 'privacy.erase'") == 1
    assert await scalar(tmp_path, "SELECT count(*) FROM channel_identities WHERE address LIKE 'erased-%'") == 2
    again = sila(tmp_path, "export", "--org", "amass", "--phone", PHONE, sila_bin=sila_bin)
    assert again.returncode == 2 and "nobody found" in again.stderr


# -- the console's data-rights page ---------------------------------------------------------------

async def test_console_admin_exports_and_erases_for_their_association_only(tmp_path: Path) -> None:
    from sqlalchemy import select

    from storage.models import AuditLog, ChannelIdentity

    async with running(tmp_path) as h:
        ch = Channels(h, None)  # type: ignore[arg-type]
        for text_ in SCRIPT:
            await ch.send("sms", text_)
        await fill_form(ch, "sms")
        await h.staff("admin@amass.sa", role="admin")
        await h.staff("admin@rida.sa", role="admin", orgs=("rida",))
        await h.staff("officer@amass.sa")
        admin, _, _ = await h.login("admin@amass.sa")
        status, html = await admin.get("/console/privacy")
        assert status == 200 and "حقوق البيانات" in html
        officer, _, _ = await h.login("officer@amass.sa")
        assert (await officer.get("/console/privacy"))[0] == 403
        other, _, _ = await h.login("admin@rida.sa")
        form = {"org": "amass", "by": "national_id", "value": NID}
        assert (await other.post("/console/privacy/export", form))[0] == 403, "not their association"
        async with admin.session.post(admin.base + "/console/privacy/export",
                                      data={**form, "csrf": admin.csrf}) as r:
            assert r.status == 200 and "attachment" in r.headers["Content-Disposition"]
            doc = await r.json()
        assert doc["cases"][0]["national_id"] == NID
        status, body, _ = await admin.post("/console/privacy/erase", {**form, "confirm": "wrong"})
        assert status == 400 and "لم يُحذف شيء" in body
        status, _, url = await admin.post("/console/privacy/erase", {**form, "confirm": "amass"})
        assert status == 200 and url.endswith("msg=privacy_erased")
        actions = {r.action: r.actor for r in await h.rows(select(AuditLog.action, AuditLog.actor))}
        assert actions["privacy.export"].startswith("staff:") and actions["privacy.erase"].startswith("staff:")
        assert await h.scalar(select(ChannelIdentity.id).where(ChannelIdentity.address == PHONE)) is None
        # the person writes again: a new conversation, nothing of the old one comes back
        await ch.send("sms", "السلام عليكم")
        texts = [m.text for m in await transcript(h, "amass", "sms", PHONE)]
        assert texts[0] == "السلام عليكم" and NAME not in texts


async def test_export_and_erase_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    """The same actions on PostgreSQL: a ``pg_dump`` after erasure holds nothing of the person."""
    import shutil

    import pytest

    from tests.services import create_pg_database, drop_pg_database
    from wiring.privacy import Subject, erase_person, export_person

    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump not installed")
    url = create_pg_database()
    try:
        async with running(tmp_path, database_url=url) as h:
            ch = Channels(h, None)  # type: ignore[arg-type]
            for text_ in SCRIPT:
                await ch.send("sms", text_)
            await fill_form(ch, "sms")
            db, cipher = h.runtime.db, h.runtime.cipher
            assert db is not None and cipher is not None
            doc = await export_person(db, cipher, Subject("amass", phone=PHONE), actor="test")
            assert doc["cases"][0]["national_id"] == NID
            done = await erase_person(db, cipher, Subject("amass", reference=doc["cases"][0]["reference"]),
                                      actor="test")
            assert done["counts"]["messages"] > 0
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        dump = subprocess.run(["pg_dump", "--data-only", dsn], capture_output=True, check=True).stdout
        assert b"privacy.erase" in dump
        for trace in (PHONE, NAME, DESCRIPTION):
            assert trace.encode() not in dump, trace
    finally:
        drop_pg_database(url)


async def half_filled_form_over_sms(h: Harness, ch: Channels) -> str:
    """The person starts a request over SMS and gives their name: the form is half filled in the
    server's memory and state. Returns the conversation's id."""
    from storage.models import Conversation

    for text_ in SCRIPT:
        await ch.send("sms", text_)
    await ch.send("sms", NAME)
    return str(await h.scalar(select(Conversation.id).where(
        Conversation.org == "amass", Conversation.channel == "sms", Conversation.address == PHONE)
        .order_by(Conversation.created_at.desc()).limit(1)))


async def test_an_erasure_is_not_written_back_by_another_workers_memory(tmp_path: Path, pg_url: str,
                                                                         redis_url: str) -> None:
    """Two workers on PostgreSQL + Redis. The person is halfway through a request form on worker
    A, which keeps the conversation's lease and its state in memory; worker B erases them (the
    console of another replica, or ``sila privacy erase``). When the person writes again to A,
    A must read the erased conversation from the database: writing its remembered form back
    would bring the erased answers back under the pseudonym."""
    from bot.ids import new_id
    from storage.models import ConversationState, Message
    from wiring.privacy import Subject, erase_person
    from wiring.runtime import open_runtime

    async with running(tmp_path, database_url=pg_url, redis_url=redis_url,
                       redis_prefix=f"silatest{new_id()[:8]}:") as h:
        ch = Channels(h, None)  # type: ignore[arg-type]
        erased_id = await half_filled_form_over_sms(h, ch)
        answers = await h.scalar(select(ConversationState.data).where(ConversationState.conversation_id == erased_id))
        assert NAME in json.dumps(answers, ensure_ascii=False), "A holds a half-filled form"
        async with open_runtime(h.settings) as b:
            assert b.db is not None and b.cipher is not None
            await erase_person(b.db, b.cipher, Subject("amass", phone=PHONE), actor="test", locks=b.locks)
        await ch.send("sms", "0512340001")
        state = await h.scalar(select(ConversationState.data).where(ConversationState.conversation_id == erased_id))
        assert state == {}, "the erased conversation stays empty"
        # (only this conversation: the session's PostgreSQL database holds other tests' people too)
        added = await h.rows(select(Message.seq).where(Message.conversation_id == erased_id))
        assert added == [], "nothing was appended to the erased conversation"


async def test_an_erasure_from_the_command_line_is_not_undone_by_a_running_server(tmp_path: Path) -> None:
    """One process on SQLite, no Redis: the command line cannot reach the server's memory, so the
    erasure moves the conversation's seq on, and the server's next write from its remembered
    state is refused as stale; it reads again and finds nobody (a new conversation)."""
    from storage.models import ConversationState, Message
    from wiring.privacy import Subject, erase_person
    from wiring.runtime import open_runtime

    async with running(tmp_path) as h:
        ch = Channels(h, None)  # type: ignore[arg-type]
        erased_id = await half_filled_form_over_sms(h, ch)
        async with open_runtime(h.settings) as cli:  # what `sila privacy erase` opens
            assert cli.db is not None and cli.cipher is not None
            await erase_person(cli.db, cli.cipher, Subject("amass", phone=PHONE), actor="cli", locks=cli.locks)
        await ch.send("sms", "0512340001")
        state = await h.scalar(select(ConversationState.data).where(ConversationState.conversation_id == erased_id))
        assert state == {}
        # nor its messages: the remembered form did not go on inside the erased conversation
        assert await h.rows(select(Message.seq).where(Message.conversation_id == erased_id)) == []
        trace = await h.rows(select(ConversationState.data))
        assert all(NAME not in json.dumps(row.data, ensure_ascii=False) for row in trace)
