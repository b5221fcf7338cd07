"""WhatsApp and SMS end to end: the real twilio library against tests/fakes/twilio_api.py.

Covers signature checks against the public URL (missing, forged, one parameter changed, no
public URL configured), bad bodies, MessageSid de-duplication under 20 concurrent copies,
status callbacks out of order, a whole SMS conversation by numbered replies, Arabic SMS
segmentation, STOP/START on every channel, and media fetched only from api.twilio.com.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.i18n import t
from bot.render import sms_segments
from bot.types import Attachment
from channels.media import MediaRefused, mask_phone
from channels.twilio_sms import sms_parts
from storage.identities import identity_facts, subscription_history
from tests.fakes import twilio_api as twa
from tests.harness import (
    FORM_ANSWERS,
    SMS_FROM,
    Harness,
    count_rows,
    notify,
    pending_question,
    running,
    settle,
    transcript,
)

PHONE = "+966512341234"


@pytest.fixture
async def h(tmp_path: Path):
    async with running(tmp_path) as harness:
        yield harness


async def sms(h: Harness, body: str, sender: str = PHONE, **kw: Any) -> int:
    return await twa.signed_post(f"{h.url}/twilio/amass/sms", twa.inbound_params(sender, body, **kw))


async def whatsapp(h: Harness, body: str, sender: str = PHONE, **kw: Any) -> int:
    return await twa.signed_post(f"{h.url}/twilio/amass/whatsapp", twa.inbound_params(sender, body, whatsapp=True,
                                                                                        **kw))


async def test_sms_conversation_by_numbered_replies(h: Harness) -> None:
    assert await sms(h, "السلام عليكم") == 200
    await settle(h)
    bodies = h.twilio.bodies(PHONE)
    menu = bodies[-1]
    assert "أرسل رقم اختيارك" in menu
    number = next(line.split(".")[0] for line in menu.splitlines() if line.endswith(t("menu.faq", "ar")))
    assert all(m["from"] == SMS_FROM for m in h.twilio.sent[PHONE])

    await sms(h, number)
    await settle(h)
    assert h.twilio.bodies(PHONE)[-1] == t("faq.prompt", "ar")
    await sms(h, "كم مدة دراسة الطلب؟")
    await settle(h)
    assert "لجنة" in h.twilio.bodies(PHONE)[-1]
    await sms(h, "القائمة")
    await settle(h)
    menu = h.twilio.bodies(PHONE)[-1]
    human = next(line.split(".")[0] for line in menu.splitlines() if line.endswith(t("menu.human", "ar")))
    await sms(h, human)
    await settle(h)
    assert any("تحويل محادثتك" in b for b in h.twilio.bodies(PHONE)[-3:])
    stored = await transcript(h, "amass", "sms", PHONE)
    assert all(m.delivery_status == "sent" for m in stored if m.direction == "out")
    assert [m.provider_message_id for m in stored if m.direction == "out"][-1].startswith("SM")


async def test_whatsapp_reply_has_numbered_choices_and_sender_prefix(h: Harness) -> None:
    assert await whatsapp(h, "مرحبا") == 200
    await settle(h)
    sent = h.twilio.sent[f"whatsapp:{PHONE}"]
    assert sent and all(m["from"].startswith("whatsapp:+") for m in sent)
    assert "1." in sent[-1]["body"]
    first = (await transcript(h, "amass", "whatsapp", PHONE))[0]
    assert first.direction == "in" and first.provider_message_id.startswith("SM")


@pytest.mark.parametrize("case", ["missing", "forged", "changed", "wrong_url", "wrong_token"])
async def test_bad_signatures_are_403_and_nothing_stored(h: Harness, case: str,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    url = f"{h.url}/twilio/amass/sms"
    params = twa.inbound_params(PHONE, "مرحبا")
    if case == "missing":
        status = await twa.signed_post(url, params, sig="")
    elif case == "forged":
        status = await twa.signed_post(url, params, sig="bm90IGEgc2lnbmF0dXJl")
    elif case == "changed":
        sig = twa.signature(url, params)
        status = await twa.signed_post(url, {**params, "Body": "مرحبا!"}, sig=sig)
    elif case == "wrong_url":
        status = await twa.signed_post(url, params, sign_url="https://elsewhere.example/twilio/amass/sms")
    else:
        status = await twa.signed_post(url, params, token="not-the-auth-token")
    assert status == 403
    await settle(h)
    assert await count_rows(h, "messages") == 0 and not h.twilio.messages
    assert PHONE not in caplog.text


async def test_without_public_base_url_every_webhook_is_refused(tmp_path: Path) -> None:
    async with running(tmp_path, public_base_url="") as h:
        url = f"{h.url}/twilio/amass/sms"
        assert await twa.signed_post(url, twa.inbound_params(PHONE, "hi")) == 403
        assert await count_rows(h, "messages") == 0


async def test_bad_bodies_are_4xx_nothing_stored_and_logs_mask_numbers(h: Harness,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    url = f"{h.url}/twilio/amass/sms"
    no_sid = {k: v for k, v in twa.inbound_params(PHONE, "hi").items() if k != "MessageSid"}
    assert await twa.signed_post(url, no_sid) == 400
    bad_from = twa.inbound_params("0512341234xyz", "hi")
    assert await twa.signed_post(url, bad_from) == 400
    assert await twa.signed_post(f"{h.url}/twilio/nope/sms", twa.inbound_params(PHONE, "hi")) == 404
    r = await h.client.post("/twilio/amass/sms", json={"From": PHONE, "Body": "json is not Twilio's format"},
                            headers={"X-Twilio-Signature": "x"})
    assert r.status == 400  # the wrong content type is refused before anything reads it
    big = twa.inbound_params(PHONE, "x" * (1024 * 1024))
    assert await twa.signed_post(url, big) == 413
    no_status = {k: v for k, v in twa.inbound_params(PHONE, "hi").items()}
    assert await twa.signed_post(f"{h.url}/twilio/amass/status", no_status) == 400
    await settle(h)
    assert await count_rows(h, "messages") == 0 and await count_rows(h, "provider_statuses") == 0
    assert PHONE not in caplog.text and "0512341234" not in caplog.text
    assert mask_phone(PHONE) == "+9665****1234"


async def test_same_message_sid_again_and_20_concurrent_copies(h: Harness) -> None:
    params = twa.inbound_params(PHONE, "ما طرق التواصل معكم؟")
    url = f"{h.url}/twilio/amass/sms"
    statuses = await asyncio.gather(*(twa.signed_post(url, params) for _ in range(20)))
    assert statuses == [200] * 20
    await settle(h)
    assert await twa.signed_post(url, params) == 200
    await settle(h)
    stored = await transcript(h, "amass", "sms", PHONE)
    assert [m.direction for m in stored].count("in") == 1
    assert len([m for m in stored if m.direction == "out"]) == 1
    bodies = h.twilio.bodies(PHONE)  # one reply, sent as SMS parts of at most 4 segments each
    assert bodies and len(bodies) == len(set(bodies))
    assert " ".join(bodies).split() == stored[-1].text.split()


async def test_status_callbacks_only_move_forward(h: Harness) -> None:
    await sms(h, "ما طرق التواصل معكم؟")
    await settle(h)
    sid = h.twilio.sent[PHONE][-1]["sid"]
    assert "/twilio/amass/status?outbox=" in h.twilio.sent[PHONE][-1]["_status_callback"]

    async def status() -> str | None:
        out = [m for m in await transcript(h, "amass", "sms", PHONE) if m.provider_message_id == sid]
        return out[0].delivery_status

    assert await status() == "sent"
    for reported, expected in [("delivered", "delivered"), ("sent", "delivered"), ("queued", "delivered"),
                               ("read", "read"), ("delivered", "read")]:
        assert await h.twilio.post_status(sid, reported) == 200
        assert await status() == expected
    assert await count_rows(h, "provider_statuses") == 5


async def test_callback_before_the_send_returned_is_applied_afterwards(h: Harness) -> None:
    from storage.delivery_state import reapply_callbacks, record_callback

    await sms(h, "ما طرق التواصل معكم؟")
    await settle(h)
    sid = h.twilio.sent[PHONE][-1]["sid"]
    db = h.runtime.db
    assert db is not None
    early = "SM" + "f" * 32  # a callback for a message whose id we don't know yet changes nothing
    assert not await record_callback(db, "amass", "sms", early, "delivered")
    await record_callback(db, "amass", "sms", sid, "delivered")
    from sqlalchemy import update

    from storage.models import Message

    async with db.writer.begin() as conn:  # what finish_outbox does when it lands after the callback
        await conn.execute(update(Message).where(Message.provider_message_id == sid).values(delivery_status="sent"))
    await reapply_callbacks(db, "amass", "sms", sid)
    out = [m for m in await transcript(h, "amass", "sms", PHONE) if m.provider_message_id == sid]
    assert out[0].delivery_status == "delivered"


def test_arabic_sms_is_split_into_ucs2_parts() -> None:
    sentence = "نحيطك علماً بأن طلبك يُرفع إلى لجنة البحث لدراسته. "
    text = sentence * 12
    assert sms_segments(text)[0] == "UCS-2"
    parts = sms_parts(text, 2)
    assert len(parts) > 1
    assert all(sms_segments(p)[1] <= 2 for p in parts)
    assert all(p.endswith(".") for p in parts[:-1]), "split on sentence boundaries"
    assert " ".join(parts).split() == text.split()
    assert sms_segments("ا" * 70) == ("UCS-2", 1) and sms_segments("ا" * 71) == ("UCS-2", 2)
    assert sms_parts("short", 1) == ["short"]


@pytest.mark.parametrize("channel,stop,start", [("sms", "STOP", "START"), ("whatsapp", "إيقاف", "اشتراك"),
                                                ("sms", "إلغاء الاشتراك", "start")])
async def test_opt_out_blocks_notifications_not_answers(h: Harness, channel: str, stop: str, start: str) -> None:
    send = sms if channel == "sms" else whatsapp
    to = PHONE if channel == "sms" else f"whatsapp:{PHONE}"
    assert await send(h, stop) == 200
    await settle(h)
    assert "إيقاف" in h.twilio.bodies(to)[-1] or "no longer" in h.twilio.bodies(to)[-1]
    db = h.runtime.db
    assert db is not None
    assert (await identity_facts(db, "amass", channel, PHONE)).opted_out_at is not None
    sent_before = len(h.twilio.sent[to])
    skipped = await notify(h, channel, PHONE, "تم تحديث حالة طلبك")
    await settle(h)
    assert len(h.twilio.sent[to]) == sent_before, "no notification to an opted-out number"
    from storage.delivery_state import outbox_status

    assert (await outbox_status(db, skipped) or ("",))[0] == "skipped"
    await send(h, "ما طرق التواصل معكم؟")
    await settle(h)
    assert len(h.twilio.sent[to]) > sent_before, "answers to their own messages still go out"

    await send(h, start)
    await settle(h)
    assert (await identity_facts(db, "amass", channel, PHONE)).opted_out_at is None
    await notify(h, channel, PHONE, "تم تحديث حالة طلبك")
    await settle(h)
    assert h.twilio.bodies(to)[-1] == "تم تحديث حالة طلبك"
    history = await subscription_history(db, "amass", channel, PHONE)
    assert [(a, s) for a, s, _at in history] == [("opt_out", "keyword"), ("opt_in", "keyword")]


async def test_a_lone_cancel_word_is_not_an_opt_out(h: Harness) -> None:
    await sms(h, "إلغاء")
    await settle(h)
    db = h.runtime.db
    assert db is not None
    assert (await identity_facts(db, "amass", "sms", PHONE)).opted_out_at is None


async def test_media_only_from_api_twilio_com(h: Harness) -> None:
    hits: list[str] = []

    async def evil(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=b"\x89PNG\r\n\x1a\n")

    app = web.Application()
    app.router.add_get("/{tail:.*}", evil)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    evil_url = f"http://127.0.0.1:{port}/steal"
    try:
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 500
        h.twilio.media["ME" + "2" * 32] = png
        good = h.twilio.media_url()
        assert await whatsapp(h, "صورة", NumMedia="2", MediaUrl0=evil_url, MediaContentType0="image/png",
                              MediaUrl1=good, MediaContentType1="image/png") == 200
        await settle(h)
        first = (await transcript(h, "amass", "whatsapp", PHONE))[0]
        assert first.payload is not None and evil_url not in first.payload["attachments"]
        assert good in first.payload["attachments"]

        tw = h.push.twilio
        with pytest.raises(MediaRefused):
            await tw.fetch_attachment("amass", Attachment(evil_url))
        with pytest.raises(MediaRefused):
            await tw.fetch_attachment("amass", Attachment(f"https://api.twilio.com.evil.example/{good[23:]}"))
        with pytest.raises(MediaRefused):
            await tw.fetch_attachment("amass", Attachment(good.replace(twa.ACCOUNT_SID, "AC" + "9" * 32)))
        assert hits == [], "no request may reach another host"
        blob = await tw.fetch_attachment("amass", Attachment(good, "image/png"))
        assert blob.content_type == "image/png" and blob.content == png
        h.twilio.media["ME" + "2" * 32] = b"<html>not an image</html>"
        with pytest.raises(MediaRefused):
            await tw.fetch_attachment("amass", Attachment(good))
    finally:
        await runner.cleanup()


async def test_full_support_request_over_sms_numbered_replies(h: Harness) -> None:
    from sqlalchemy import text

    await sms(h, "السلام عليكم")
    await settle(h)
    menu = h.twilio.bodies(PHONE)[-1]
    number = next(line.split(".")[0] for line in menu.splitlines() if line.endswith(t("menu.support_request", "ar")))
    await sms(h, number)
    await settle(h)
    fields = []
    for _ in range(20):
        expect, values = await pending_question(h, "sms", PHONE)
        if not expect:
            break
        fields.append(expect["field"])
        last = h.twilio.bodies(PHONE)[-1]
        if values:
            assert f"{len(values)}. " in last and "أرسل رقم اختيارك" in last
            await sms(h, "١")  # Arabic-Indic digits work as well
        else:
            await sms(h, FORM_ANSWERS.get(expect["type"], "نعم"))
        await settle(h)
    assert {"full_name", "national_id", "mobile", "_declaration"} <= set(fields)
    assert "AMS-" in " ".join(h.twilio.bodies(PHONE)[-2:])
    assert h.runtime.db is not None
    async with h.runtime.db.reader.connect() as conn:
        cases = (await conn.execute(text("SELECT channel FROM cases"))).all()
    assert [c.channel for c in cases] == ["sms"]
