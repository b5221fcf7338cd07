"""Telegram end to end: the real python-telegram-bot against tests/fakes/telegram_api.py.

Covers the webhook's secret check (nothing stored on 403), bad bodies, re-delivered and
concurrent copies of one update, inline buttons and callback queries through a menu → FAQ →
hand-off conversation, /start deep links, long button values, contact sharing that joins a
person's Telegram and WhatsApp identities, media via getFile, polling mode and the CLI.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import t
from bot.ids import new_id
from bot.records import OutboxItem, StoredMessage, TurnWrite
from bot.sealed import is_sealed, unseal
from bot.types import Attachment, Button, Choices, ConversationKey, reply_from_json, reply_to_json
from channels.media import MediaRefused
from channels.telegram import SECRET_HEADER, set_webhook
from channels.telegram_bot import HASHED, callback_data, secret_for
from storage.identities import beneficiary_history, identity_facts
from tests.fakes import telegram_api as tga
from tests.fakes import twilio_api as twa
from tests.harness import (
    FORM_ANSWERS,
    TG_TOKEN,
    Harness,
    count_rows,
    eventually,
    pending_question,
    running,
    settle,
    transcript,
)

CHAT = 424242


@pytest.fixture
async def h(tmp_path: Path):
    async with running(tmp_path) as harness:
        yield harness


def secret(h: Harness) -> dict[str, str]:
    return {SECRET_HEADER: secret_for(h.settings, "amass")}


async def post_update(h: Harness, update: dict[str, Any], headers: dict[str, str] | None = None) -> int:
    r = await h.client.post("/telegram/amass/webhook", json=update, headers=secret(h) if headers is None else headers)
    await r.read()
    return r.status


def buttons_of(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def test_menu_faq_handoff_over_buttons(h: Harness) -> None:
    assert await post_update(h, tga.text_update(CHAT, "السلام عليكم")) == 200
    await settle(h)
    menu = next(m for m in h.telegram.sent[CHAT] if m.get("reply_markup"))
    labels = dict(buttons_of(menu))
    assert labels[t("menu.faq", "ar")] == "faq"

    await post_update(h, tga.callback_update(CHAT, "faq", menu["message_id"]))
    await settle(h)
    assert h.telegram.calls_of("answerCallbackQuery"), "the button's spinner must be stopped"
    edits = h.telegram.calls_of("editMessageReplyMarkup")
    assert edits and int(edits[0]["message_id"]) == menu["message_id"]
    assert h.telegram.texts(CHAT)[-1] == t("faq.prompt", "ar")

    await post_update(h, tga.text_update(CHAT, "كم مدة دراسة الطلب؟"))
    await settle(h)
    assert "لجنة" in h.telegram.texts(CHAT)[-1]

    await post_update(h, tga.callback_update(CHAT, "handoff", menu["message_id"]))
    await settle(h)
    assert any("تحويل محادثتك" in text for text in h.telegram.texts(CHAT)[-3:])
    stored = await transcript(h, "amass", "telegram", str(CHAT))
    ins = [m for m in stored if m.direction == "in"]
    assert [m.payload.get("button") if m.payload else None for m in ins] == [None, "faq", None, "handoff"]
    outs = [m for m in stored if m.direction == "out"]
    assert all(m.delivery_status == "sent" for m in outs)
    assert len(outs) == sum(len(v) for v in h.telegram.sent.values())


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: ""}])
async def test_missing_or_forged_secret_is_403_and_nothing_stored(h: Harness, headers: dict[str, str],
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert await post_update(h, tga.text_update(CHAT, "hello"), headers) == 403
    await settle(h)
    assert await count_rows(h, "messages") == 0
    assert h.telegram.sent == {}
    assert "secret" in caplog.text


async def test_secret_of_another_association_is_refused(h: Harness) -> None:
    other = {SECRET_HEADER: secret_for(h.settings, "rida")}
    assert await post_update(h, tga.text_update(CHAT, "hello"), other) == 403
    assert await count_rows(h, "messages") == 0


async def test_unset_secret_fails_closed(tmp_path: Path) -> None:
    async with running(tmp_path, telegram_secret="") as h:
        assert await post_update(h, tga.text_update(CHAT, "hello"), {SECRET_HEADER: ""}) == 403
        assert await count_rows(h, "messages") == 0


async def test_bad_bodies_are_4xx_and_nothing_stored(h: Harness) -> None:
    async def raw(path: str, body: bytes, headers: dict[str, str] | None = None) -> int:
        r = await h.client.post(path, data=body, headers={**secret(h), "Content-Type": "application/json",
                                                          **(headers or {})})
        await r.read()
        return r.status

    assert await raw("/telegram/amass/webhook", b"not json") == 400
    assert await raw("/telegram/amass/webhook", b'["a list"]') == 400
    assert await raw("/telegram/amass/webhook", b'{"message": {"text": "no update_id"}}') == 400
    assert await raw("/telegram/amass/webhook", b'{"update_id": 5, "message": {"text": "no chat"}}') == 400
    assert await raw("/telegram/amass/webhook", b"{" + b" " * (1024 * 1024) + b"}") == 413
    assert await raw("/telegram/nope/webhook", json.dumps(tga.text_update(CHAT, "x")).encode()) == 404
    assert await raw("/telegram/rida/webhook", json.dumps(tga.text_update(CHAT, "x")).encode()) == 404  # no bot
    await settle(h)
    assert await count_rows(h, "messages") == 0


async def test_same_update_again_and_20_concurrent_copies_give_one_message_one_reply(h: Harness) -> None:
    update = tga.text_update(CHAT, "ما طرق التواصل معكم؟")
    statuses = await asyncio.gather(*(post_update(h, update) for _ in range(20)))
    assert statuses == [200] * 20
    await settle(h)
    assert await post_update(h, update) == 200  # a late re-delivery
    await settle(h)
    stored = await transcript(h, "amass", "telegram", str(CHAT))
    assert [m.direction for m in stored].count("in") == 1
    replies = [m for m in stored if m.direction == "out"]
    assert len(h.telegram.sent[CHAT]) == len(replies) >= 1


async def test_start_with_deep_link_payload_is_kept(h: Harness) -> None:
    await post_update(h, tga.text_update(CHAT, "/start camp_2026-ramadan"))
    await post_update(h, tga.text_update(CHAT + 1, "/start ../../etc<script>"))
    await settle(h)
    first = (await transcript(h, "amass", "telegram", str(CHAT)))[0]
    assert first.text == "/start" and first.payload == {"start_payload": "camp_2026-ramadan"}
    other = (await transcript(h, "amass", "telegram", str(CHAT + 1)))[0]
    assert other.text == "/start" and not other.payload  # an invalid payload is dropped, the start is not
    assert h.telegram.sent[CHAT] and h.telegram.sent[CHAT + 1]


async def test_long_button_values_travel_as_a_short_hash(h: Harness) -> None:
    long_value = "faq:" + "x" * 120
    data = callback_data(long_value)
    assert data.startswith(HASHED) and len(data.encode()) <= 64
    assert callback_data("flow:support_request") == "flow:support_request"
    assert callback_data(HASHED + "short").startswith(HASHED) and callback_data(HASHED + "short") != HASHED + "short"

    await post_update(h, tga.text_update(CHAT, "hello"))
    await settle(h)
    key = ConversationKey("amass", "telegram", str(CHAT))
    conv = await h.runtime.store.load(key)
    payload = reply_to_json(Choices("choose", (Button("Long", long_value),)))
    out = StoredMessage(new_id(), conv.id, conv.seq + 1, "out", "bot", "choose", payload, "menu",
                        created_at=datetime.now(UTC))
    prev = conv.seq
    conv.seq += 1
    await h.runtime.store.commit(TurnWrite(conversation=conv, previous_seq=prev, messages=[out]))

    await post_update(h, tga.callback_update(CHAT, data, 1))
    await post_update(h, tga.callback_update(CHAT, HASHED + "0" * 32, 1))  # forged: resolves to nothing
    await settle(h)
    ins = [m for m in await transcript(h, "amass", "telegram", str(CHAT)) if m.direction == "in"]
    assert ins[-1].payload and ins[-1].payload["button"] == long_value
    assert len(ins) == 2


async def test_shared_contact_joins_telegram_and_whatsapp(h: Harness) -> None:
    phone = "+966501234567"
    status = await twa.signed_post(f"{h.url}/twilio/amass/whatsapp", twa.inbound_params(phone, "مرحبا", whatsapp=True))
    assert status == 200
    await post_update(h, tga.text_update(CHAT, "مرحبا"))
    await settle(h)
    db = h.runtime.db
    assert db is not None
    wa = await identity_facts(db, "amass", "whatsapp", phone)
    tg = await identity_facts(db, "amass", "telegram", str(CHAT))
    assert wa.beneficiary_id != tg.beneficiary_id

    await post_update(h, tga.contact_update(CHAT + 5, phone, own=False))  # someone else's number: no link
    await post_update(h, tga.contact_update(CHAT, phone.lstrip("+")))  # Telegram sends it without "+"
    await settle(h)
    tg = await identity_facts(db, "amass", "telegram", str(CHAT))
    assert tg.beneficiary_id == wa.beneficiary_id
    other = await identity_facts(db, "amass", "telegram", str(CHAT + 5))
    assert other.beneficiary_id != wa.beneficiary_id
    conv = await h.runtime.store.load(ConversationKey("amass", "telegram", str(CHAT)))
    assert conv.beneficiary_id == wa.beneficiary_id, "the engine must see the joined beneficiary"
    history = await beneficiary_history(db, wa.beneficiary_id or "")
    assert {channel for channel, _m in history} == {"telegram", "whatsapp"}
    contact_msg = [m for ch, m in history if ch == "telegram" and m.direction == "in"][-1]
    assert contact_msg.text == phone and contact_msg.payload == {"contact_phone": phone, "phone_verified": "telegram"}


async def test_a_reply_expecting_a_phone_offers_the_contact_button(h: Harness) -> None:
    await post_update(h, tga.text_update(CHAT, "مرحبا"))
    await settle(h)
    payload = {"type": "reply", "text": "ما رقم جوالك؟", "buttons": [], "kind": "flow",
               "expect": {"flow": "support_request", "field": "mobile", "type": "phone", "choices": []}}
    item = OutboxItem(new_id(), new_id(), new_id(), "amass", "telegram", str(CHAT), payload, 1)
    await h.push.telegram.send(item, h.push.telegram.parts(item, reply_from_json(payload)), None)
    markup = h.telegram.sent[CHAT][-1]["reply_markup"]
    assert markup["keyboard"][0][0]["request_contact"] is True


async def test_media_is_fetched_only_through_get_file(h: Harness) -> None:
    pdf = b"%PDF-1.7\n" + b"0" * 2000
    h.telegram.files["F1"] = pdf
    h.telegram.files["F2"] = b"MZ\x90\x00 not a document"
    await post_update(h, tga.document_update(CHAT, "F1", "application/pdf", len(pdf)))
    await settle(h)
    first = (await transcript(h, "amass", "telegram", str(CHAT)))[0]
    assert first.payload is not None
    att = json.loads(first.payload["attachments"])[0]
    assert att["url"] == "telegram:F1" and TG_TOKEN not in first.payload["attachments"]

    blob = await h.push.telegram.fetch_attachment("amass", Attachment("telegram:F1", "application/pdf"))
    assert blob.content == pdf and blob.content_type == "application/pdf"
    with pytest.raises(MediaRefused):
        await h.push.telegram.fetch_attachment("amass", Attachment("telegram:F2"))
    with pytest.raises(MediaRefused):
        await h.push.telegram.fetch_attachment("amass", Attachment("http://127.0.0.1:1/evil"))
    with pytest.raises(MediaRefused):
        await h.push.telegram.fetch_attachment("amass", Attachment("telegram:F1", size=10**9))


async def test_polling_mode_answers_without_a_webhook(tmp_path: Path) -> None:
    async with running(tmp_path, telegram_mode="polling") as h:
        h.telegram.push_update(tga.text_update(CHAT, "مرحبا"))
        await eventually(lambda: len(h.telegram.sent[CHAT]) >= 2)
        assert h.telegram.calls_of("deleteWebhook")
        assert h.telegram.calls_of("getUpdates")


async def test_set_webhook_registers_url_and_secret(h: Harness) -> None:
    url = await set_webhook(h.settings, "amass")
    assert url == f"{h.url}/telegram/amass/webhook"
    registered = h.telegram.webhooks[TG_TOKEN]
    assert registered["url"] == url and registered["secret_token"] == secret_for(h.settings, "amass")
    assert registered["allowed_updates"] == ["message", "callback_query"]


async def test_cli_set_webhook(h: Harness, tmp_path: Path) -> None:
    env = {"SILA_DATA_DIR": str(tmp_path), "SILA_PUBLIC_BASE_URL": "https://sila.example.org",
           "SILA_TELEGRAM_SECRET": "s", "SILA_TELEGRAM_API_BASE": h.telegram.url,
           "SILA_TELEGRAM_TOKEN_AMASS": TG_TOKEN, "PATH": "/usr/bin:/bin"}
    sila = str(Path(sys.executable).parent / "sila")

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sila, "telegram", *args], env={**env, **extra}, capture_output=True, text=True,
                              timeout=60, check=False)

    done = await asyncio.to_thread(run, "set-webhook", "--org", "amass")
    assert done.returncode == 0, done.stderr
    assert "https://sila.example.org/telegram/amass/webhook" in done.stdout
    assert h.telegram.webhooks[TG_TOKEN]["url"] == "https://sila.example.org/telegram/amass/webhook"
    missing = await asyncio.to_thread(run, "set-webhook", "--org", "rida")
    assert missing.returncode == 2 and "SILA_TELEGRAM_TOKEN_RIDA" in missing.stderr
    assert "Traceback" not in missing.stderr


async def test_full_support_request_over_buttons_with_shared_contact(tmp_path: Path) -> None:
    async with running(tmp_path, telegram_rate_chat=20) as h:  # a fast typist: keep the test quick
        await _full_support_request(h)


async def _full_support_request(h: Harness) -> None:
    from sqlalchemy import text

    await post_update(h, tga.text_update(CHAT, "السلام عليكم"))
    await settle(h)
    menu = next(m for m in h.telegram.sent[CHAT] if m.get("reply_markup"))
    await post_update(h, tga.callback_update(CHAT, "flow:support_request", menu["message_id"]))
    await settle(h)
    fields = []
    for _ in range(20):
        expect, values = await pending_question(h, "telegram", str(CHAT))
        if not expect:
            break
        fields.append(expect["field"])
        if values:
            shown = [m for m in h.telegram.sent[CHAT] if m.get("reply_markup", {}).get("inline_keyboard")][-1]
            assert [v for _label, v in buttons_of(shown)] == [callback_data(v) for v in values]
            await post_update(h, tga.callback_update(CHAT, callback_data(values[0]), shown["message_id"]))
        elif expect["type"] == "phone":
            assert h.telegram.sent[CHAT][-1]["reply_markup"]["keyboard"][0][0]["request_contact"]
            await post_update(h, tga.contact_update(CHAT, "966551234567"))
        elif expect["type"] == "attachment":
            h.telegram.files["REPORT"] = b"%PDF-1.7\n" + b"0" * 4000
            await post_update(h, tga.document_update(CHAT, "REPORT", "application/pdf", 4009))
        else:
            await post_update(h, tga.text_update(CHAT, FORM_ANSWERS.get(expect["type"], "نعم")))
        await settle(h)
    assert {"full_name", "national_id", "mobile", "_declaration"} <= set(fields)
    assert "AMS-" in h.telegram.texts(CHAT)[-1]
    assert h.runtime.db is not None
    async with h.runtime.db.reader.connect() as conn:
        cases = (await conn.execute(text("SELECT channel, beneficiary_id, phone_e164, national_id_last4, data "
                                         "FROM cases"))).all()
    facts = await identity_facts(h.runtime.db, "amass", "telegram", str(CHAT))
    assert [(c.channel, c.beneficiary_id) for c in cases] == [("telegram", facts.beneficiary_id)]
    # the answers sealed in the conversation state while the form was open reach the case opened
    data = cases[0].data if isinstance(cases[0].data, dict) else json.loads(cases[0].data)
    assert cases[0].national_id_last4 == "0008" and "national_id" not in data
    assert is_sealed(data["cancer_type"]) and "breast" not in str(data), "the diagnosis is sealed in the case"
    assert h.runtime.cipher is not None and unseal(data, h.runtime.cipher)["cancer_type"] == "breast"


async def test_cli_poll_answers_from_the_terminal(h: Harness, tmp_path: Path) -> None:
    env = {"SILA_DATA_DIR": str(tmp_path / "poll"), "SILA_TELEGRAM_API_BASE": h.telegram.url,
           "SILA_TELEGRAM_TOKEN_AMASS": TG_TOKEN, "SILA_DELIVERY_POLL_MS": "100", "PATH": "/usr/bin:/bin"}
    sila = str(Path(sys.executable).parent / "sila")
    proc = await asyncio.create_subprocess_exec(sila, "telegram", "poll", "--org", "amass", env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert b"polling Telegram for amass" in line
        h.telegram.push_update(tga.text_update(CHAT, "مرحبا"))
        await eventually(lambda: len(h.telegram.sent[CHAT]) >= 2, timeout=30)
    finally:
        proc.terminate()
        _out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert b"Traceback" not in err, err.decode()[-2000:]


def test_one_token_per_association_from_the_environment() -> None:
    from bot.settings import load_settings
    from channels.telegram_bot import make_bot, token_env_name, token_for

    settings = load_settings(env={"SILA_TELEGRAM_TOKEN_ILM_ALHAJJ": "123:abc", "SILA_TELEGRAM_SECRET": "s"})
    assert token_env_name("ilm-alhajj") == "SILA_TELEGRAM_TOKEN_ILM_ALHAJJ"
    assert token_for(settings, "ilm-alhajj") == "123:abc" and token_for(settings, "amass") == ""
    assert make_bot(settings, "amass") is None
    assert secret_for(settings, "amass") != secret_for(settings, "rida")
    assert secret_for(load_settings(env={}), "amass") == ""


async def test_contact_first_then_whatsapp_joins_the_same_person(h: Harness) -> None:
    from storage.identities import beneficiary_phone, link_verified_phone

    phone = "+966507654321"
    await post_update(h, tga.contact_update(CHAT, phone))
    await settle(h)
    db = h.runtime.db
    assert db is not None
    tg = await identity_facts(db, "amass", "telegram", str(CHAT))
    assert await beneficiary_phone(db, tg.beneficiary_id or "") == phone
    await twa.signed_post(f"{h.url}/twilio/amass/whatsapp", twa.inbound_params(phone, "مرحبا", whatsapp=True))
    await settle(h)
    wa = await identity_facts(db, "amass", "whatsapp", phone)
    assert wa.beneficiary_id == tg.beneficiary_id
    assert await link_verified_phone(db, "amass", "sms", "+966500000000", phone) is None  # no such identity
    again = await link_verified_phone(db, "amass", "whatsapp", phone, phone)  # idempotent: nothing moves
    assert again is not None and again.beneficiary_id == tg.beneficiary_id and again.moved == ()


async def test_update_acknowledged_but_not_processed_is_replayed_once(h: Harness) -> None:
    """A worker that died between answering 200 and processing: the stored update is replayed."""
    from storage import inbox

    update = tga.text_update(CHAT, "ما طرق التواصل معكم؟")
    # what the webhook stores before it answers; then "the process dies" before processing
    row_id = await inbox.record(h.runtime.db, h.runtime.cipher, org="amass", channel="telegram",
                                provider_id=str(update["update_id"]), body=json.dumps(update))
    assert row_id is not None
    assert await post_update(h, update) == 200  # Telegram re-delivering it changes nothing
    await settle(h)
    assert not h.telegram.sent.get(CHAT)
    assert await h.push.telegram.replay_unprocessed(older_than=timedelta(0)) == 1
    await settle(h)
    first = len(h.telegram.sent[CHAT])
    assert first >= 1
    # replayed once: the row is marked, and a second sweep finds nothing
    assert await h.push.telegram.replay_unprocessed(older_than=timedelta(0)) == 0
    stored = await transcript(h, "amass", "telegram", str(CHAT))
    assert [m.direction for m in stored].count("in") == 1
    assert len(h.telegram.sent[CHAT]) == first
