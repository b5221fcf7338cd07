"""Joining a person's channels by a verified phone moves conversations other than the one that
verified it: none of them may go on from the state a worker remembers from before the move.

The person: a request filed over SMS from PHONE (that beneficiary owns PHONE); a request form
half filled over WhatsApp from OTHER (a second beneficiary owns OTHER); Telegram, whose account
number was OTHER and is now PHONE, shares its contact twice. The second share moves the WhatsApp
conversation (not the Telegram one, which is the conversation that spoke) onto the SMS
beneficiary. The WhatsApp conversation's next turns must act for that beneficiary: the form it
finishes files the request under it, and "my requests" lists the request filed over SMS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import or_, select

from bot.types import ConversationKey, InboundMessage
from channels.telegram import SECRET_HEADER
from channels.telegram_bot import secret_for
from storage.identities import identity_facts
from storage.models import Case, ChannelIdentity, Conversation, Message, Profile, Volunteer
from tests import scripted
from tests.fakes import telegram_api as tga
from tests.fakes import twilio_api as twa
from tests.harness import Harness, running, settle
from tests.scripted import CHAT, PHONE, SCRIPT, Channels, fill_form

OTHER = "+966512340002"
NAME = "محمد عبدالله السالم"


async def transcript(h: Harness, org: str, channel: str, address: str) -> list[Any]:
    """The conversation's messages straight from the database. Why not the harness's own: that
    one drops the server's cached copy of the conversation first, which is what is under test."""
    return await h.rows(select(Message.direction, Message.text, Message.payload)
                        .join(Conversation, Conversation.id == Message.conversation_id)
                        .where(Conversation.org == org, Conversation.channel == channel,
                               Conversation.address == address).order_by(Message.seq))


@pytest.fixture(autouse=True)
def _cache_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scripted, "transcript", transcript)


class TwoNumbers(Channels):
    """The same person, whose WhatsApp is on OTHER (SMS stays on PHONE)."""

    async def send(self, channel: str, text: str) -> None:
        if channel != "whatsapp":
            await super().send(channel, text)
            return
        status = await twa.signed_post(f"{self.h.url}/twilio/amass/whatsapp",
                                       twa.inbound_params(OTHER, text, whatsapp=True))
        assert status == 200
        await settle(self.h)

    @staticmethod
    def address(channel: str) -> str:
        return OTHER if channel == "whatsapp" else Channels.address(channel)


async def share_contact(h: Harness, phone: str) -> None:
    r = await h.client.post("/telegram/amass/webhook", json=tga.contact_update(CHAT, phone),
                            headers={SECRET_HEADER: secret_for(h.settings, "amass")})
    assert r.status == 200
    await settle(h)


async def before_the_move(h: Harness, ch: TwoNumbers) -> tuple[str, str]:
    """Request over SMS, half a form over WhatsApp, Telegram joined to WhatsApp; the two
    beneficiaries (SMS's, WhatsApp's)."""
    assert h.runtime.db is not None
    for text_ in SCRIPT:
        await ch.send("sms", text_)
    await fill_form(ch, "sms")
    for text_ in SCRIPT:
        await ch.send("whatsapp", text_)
    await ch.send("whatsapp", NAME)
    sms = (await identity_facts(h.runtime.db, "amass", "sms", PHONE)).beneficiary_id
    wa = (await identity_facts(h.runtime.db, "amass", "whatsapp", OTHER)).beneficiary_id
    assert sms and wa and sms != wa
    await ch.send("telegram", "مرحبا")
    await share_contact(h, OTHER)
    assert (await identity_facts(h.runtime.db, "amass", "telegram", str(CHAT))).beneficiary_id == wa
    return sms, wa


async def after_the_move(h: Harness, ch: TwoNumbers, sms: str, wa: str) -> None:
    """The WhatsApp conversation acts for the SMS beneficiary, and nothing is left on the old one."""
    db = h.runtime.db
    assert db is not None
    conv_of = await h.scalar(select(Conversation.beneficiary_id).where(
        Conversation.org == "amass", Conversation.channel == "whatsapp", Conversation.address == OTHER))
    assert conv_of == sms, "the link moved the WhatsApp conversation"
    await fill_form(ch, "whatsapp")  # the half-filled form goes on, and files the request
    filed = await h.rows(select(Case.channel, Case.beneficiary_id).where(Case.org == "amass"))
    assert {r.channel for r in filed} == {"sms", "whatsapp"}
    assert {r.beneficiary_id for r in filed} == {sms}, "the request filed after the move is the linked person's"
    sms_ref = await h.scalar(select(Case.reference).where(Case.channel == "sms", Case.beneficiary_id == sms))
    await ch.send("whatsapp", "طلباتي")
    reply = [m.text for m in await transcript(h, "amass", "whatsapp", OTHER) if m.direction == "out"][-1]
    assert sms_ref in (reply or ""), f"'my requests' on WhatsApp lists the request filed over SMS: {reply!r}"
    for table in (ChannelIdentity, Conversation, Case, Volunteer, Profile):
        left = await h.rows(select(table.beneficiary_id).where(table.beneficiary_id == wa))
        assert left == [], f"{table.__tablename__} still names the old beneficiary"
    who = {r.beneficiary_id for r in await h.rows(select(ChannelIdentity.beneficiary_id).where(or_(
        ChannelIdentity.address == PHONE, ChannelIdentity.address == OTHER, ChannelIdentity.address == str(CHAT))))}
    assert who == {sms}


async def test_a_link_moves_other_conversations_and_their_next_turn_sees_it(tmp_path: Path) -> None:
    """One process on SQLite: the WhatsApp conversation is in the server's memory when the
    Telegram turn links; its next turn must not go on from that memory."""
    async with running(tmp_path) as h:
        ch = TwoNumbers(h, None)  # type: ignore[arg-type]  # no web chat here
        sms, wa = await before_the_move(h, ch)
        await share_contact(h, PHONE)  # the Telegram account's number is now PHONE
        await after_the_move(h, ch, sms, wa)


async def test_a_link_on_another_worker_is_not_undone_by_this_workers_memory(tmp_path: Path, pg_url: str,
                                                                             redis_url: str) -> None:
    """Two workers on PostgreSQL + Redis. Worker A keeps the WhatsApp conversation's lease and
    state; the Telegram turn that links runs on worker B. A's next WhatsApp turn must read the
    moved conversation again."""
    from bot.ids import new_id
    from channels.optout import after_turn
    from tests.services import create_pg_database, drop_pg_database
    from wiring.runtime import open_runtime

    url = create_pg_database()  # a database of its own: the session's holds other tests' people
    try:
        async with running(tmp_path, database_url=url, redis_url=redis_url,
                           redis_prefix=f"silatest{new_id()[:8]}:") as h:
            ch = TwoNumbers(h, None)  # type: ignore[arg-type]
            sms, wa = await before_the_move(h, ch)
            async with open_runtime(h.settings) as b:
                # what the Telegram adapter does on B for a shared contact
                msg = InboundMessage(key=ConversationKey("amass", "telegram", str(CHAT)), text=PHONE,
                                     provider_message_id=f"tg-{new_id()}")
                outcome = await b.engine.handle(msg)
                await after_turn(b, msg, outcome, verified_phone=PHONE)
            await after_the_move(h, ch, sms, wa)
    finally:
        drop_pg_database(url)
