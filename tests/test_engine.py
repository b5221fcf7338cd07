"""The engine through real storage: greeting, routing, language, de-duplication, hand-off."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, update

from bot.sealed import is_sealed, unseal
from bot.types import Choices, ConversationKey, InboundMessage
from storage.db import migrate
from storage.models import Message
from wiring.runtime import open_runtime


@pytest.fixture
async def runtime(sqlite_settings):
    await migrate(sqlite_settings)
    async with open_runtime(sqlite_settings) as rt:
        yield rt


def key(addr: str = "u1", org: str = "amass", channel: str = "webchat") -> ConversationKey:
    return ConversationKey(org, channel, addr)


async def test_greeting_names_the_association_and_shows_the_menu(runtime) -> None:
    out = await runtime.engine.handle(InboundMessage(key=key(), text="السلام عليكم"))
    assert "جمعية أمس" in out.replies[0].text
    menu = out.replies[-1]
    assert isinstance(menu, Choices)
    values = [b.value for b in menu.buttons]
    assert "flow:support_request" in values and "handoff" in values and "lang:en" in values


async def test_english_writer_is_answered_in_english(runtime) -> None:
    out = await runtime.engine.handle(InboundMessage(key=key("en1"), text="hello"))
    assert "Welcome to" in out.replies[0].text


async def test_language_switch_command_sticks(runtime) -> None:
    await runtime.engine.handle(InboundMessage(key=key("sw"), text="مرحبا"))
    out = await runtime.engine.handle(InboundMessage(key=key("sw"), text="", button_value="lang:en"))
    assert out.replies[0].text == "Switched to English."
    out = await runtime.engine.handle(InboundMessage(key=key("sw"), text="كم مدة دراسة الطلب"))
    assert "two weeks" in out.replies[0].text  # locked to English even when writing Arabic


async def test_policy_answer_cites_the_decision_period(runtime) -> None:
    await runtime.engine.handle(InboundMessage(key=key("q"), text="مرحبا"))
    out = await runtime.engine.handle(InboundMessage(key=key("q"), text="كم مدة دراسة الطلب؟"))
    assert out.replies[0].kind == "answer"
    assert "أسبوعين" in out.replies[0].text


async def test_same_provider_message_id_is_stored_once_and_answered_once(runtime) -> None:
    k = key("dup", channel="terminal")
    msg = InboundMessage(key=k, text="مرحبا", provider_message_id="p-1")
    first = await runtime.engine.handle(msg)
    second = await runtime.engine.handle(msg)
    assert first.replies and not first.duplicate
    assert second.duplicate and not second.replies
    # and twenty concurrent copies of a new one: one row, one answer
    copies = [InboundMessage(key=k, text="كم مدة الدراسة", provider_message_id="p-2") for _ in range(20)]
    outcomes = await asyncio.gather(*(runtime.engine.handle(c) for c in copies))
    assert sum(not o.duplicate for o in outcomes) == 1
    async with runtime.db.reader.connect() as conn:
        n = (await conn.execute(select(func.count()).select_from(Message).where(
            Message.provider_message_id.in_(["p-1", "p-2"])))).scalar()
    assert n == 2


async def test_two_misses_offer_the_named_officer(runtime) -> None:
    k = key("miss")
    await runtime.engine.handle(InboundMessage(key=k, text="مرحبا"))
    first = await runtime.engine.handle(InboundMessage(key=k, text="ققق ثثث ضضض"))
    assert first.replies[-1].kind == "fallback"
    second = await runtime.engine.handle(InboundMessage(key=k, text="ظظظ غغغ ذذذ"))
    offer = second.replies[-1]
    assert isinstance(offer, Choices) and "مسؤول البحث الاجتماعي" in offer.text
    out = await runtime.engine.handle(InboundMessage(key=k, text="", button_value="handoff:yes"))
    assert out.replies[0].kind == "handoff"
    # while waiting for the officer the bot only acknowledges (how to return), and cancel still works
    quiet = await runtime.engine.handle(InboundMessage(key=k, text="كم مدة دراسة الطلب"))
    assert [r.kind for r in quiet.replies] == ["handoff"] and "القائمة" in quiet.replies[0].text
    back = await runtime.engine.handle(InboundMessage(key=k, text="إلغاء"))
    assert "إلغاء" in back.replies[0].text


async def test_explicit_wish_for_a_human_hands_off(runtime) -> None:
    out = await runtime.engine.handle(InboundMessage(key=key("h", org="ratel"), text="ابي اكلم موظف"))
    assert any(r.kind == "handoff" for r in out.replies)
    assert any("مسؤول الشؤون التعليمية" in r.text for r in out.replies)


async def test_numbered_reply_picks_from_the_last_menu(runtime) -> None:
    k = key("num", channel="sms")
    await runtime.engine.handle(InboundMessage(key=k, text="مرحبا"))
    out = await runtime.engine.handle(InboundMessage(key=k, text="٥"))  # Arabic-Indic five
    assert out.replies  # the fifth menu entry (FAQ prompt) was chosen, not a fallback
    assert out.replies[0].kind == "menu" and "سؤالك" in out.replies[0].text


async def test_transcript_is_stored_in_order(runtime) -> None:
    k = key("order")
    for text in ["مرحبا", "كم مدة دراسة الطلب", "شكرا"]:
        await runtime.engine.handle(InboundMessage(key=k, text=text))
    conv = await runtime.store.load(k)
    history = await runtime.store.history(conv.id)
    assert [m.seq for m in history] == list(range(1, len(history) + 1))
    assert [m.text for m in history if m.direction == "in"] == ["مرحبا", "كم مدة دراسة الطلب", "شكرا"]


async def test_half_filled_form_gets_one_reminder(runtime) -> None:
    from datetime import UTC, datetime, timedelta

    from wiring.reminders import send_due_reminders

    k = key("remind")
    await runtime.engine.handle(InboundMessage(key=k, text="", button_value="flow:support_request"))
    later = datetime.now(UTC) + timedelta(hours=7)
    assert await send_due_reminders(runtime, later, after=timedelta(seconds=0)) == 1
    conv = await runtime.store.load(k)
    last = (await runtime.store.history(conv.id))[-1]
    assert last.direction == "out" and last.payload["expect"]["field"] == "full_name"
    # reminded once per idle period, not at every sweep
    assert await send_due_reminders(runtime, later, after=timedelta(seconds=0)) == 0
    # and the form continues where it stood
    out = await runtime.engine.handle(InboundMessage(key=k, text="محمد عبدالله"))
    assert out.replies[-1].expect.field == "national_id"
    # a reminder after a sensitive answer keeps it sealed, and the form goes on with it
    k2 = key("remind-sealed")
    for text, button in (("", "flow:support_request"), ("محمد عبدالله", None), ("1000000008", None)):
        await runtime.engine.handle(InboundMessage(key=k2, text=text, button_value=button))
    assert await send_due_reminders(runtime, later, after=timedelta(seconds=0)) == 1
    answers = (await runtime.store.load(k2)).state["flow"]["answers"]
    assert is_sealed(answers["national_id"]) and unseal(answers, runtime.cipher)["national_id"] == "1000000008"
    out = await runtime.engine.handle(InboundMessage(key=k2, text="0551234567"))
    assert out.replies[-1].expect.field == "city"


async def test_a_form_left_past_its_expiry_is_forgotten_silently(runtime) -> None:
    """The answers of an abandoned form (an ID among them) are not kept once it has expired."""
    from datetime import UTC, datetime, timedelta

    from storage.models import ConversationState
    from wiring.reminders import drop_expired_forms

    left, recent = key("left-form"), key("recent-form")
    for who in (left, recent):
        for text, button in (("", "flow:support_request"), ("محمد عبدالله", None), ("1000000008", None)):
            await runtime.engine.handle(InboundMessage(key=who, text=text, button_value=button))
    conv = await runtime.store.load(left)
    transcript_before = len(await runtime.store.history(conv.id))
    # the person stopped answering longer ago than the expiry
    long_ago = datetime.now(UTC) - timedelta(hours=runtime.settings.flow_expiry_hours, minutes=5)
    state = {**conv.state, "flow": {**conv.state["flow"], "updated_at": long_ago.isoformat()}}
    async with runtime.db.writer.begin() as c:
        await c.execute(update(ConversationState).where(ConversationState.conversation_id == conv.id)
                        .values(data=state, updated_at=long_ago))
    runtime.store.forget(left)

    assert await drop_expired_forms(runtime) == 1
    assert await drop_expired_forms(runtime) == 0, "nothing more to drop"
    runtime.store.forget(left)
    conv = await runtime.store.load(left)
    assert conv.state.get("flow") is None
    assert len(await runtime.store.history(conv.id)) == transcript_before, "nobody was messaged"
    async with runtime.db.reader.connect() as c:
        raw = (await c.execute(select(ConversationState.data).where(ConversationState.conversation_id == conv.id))
               ).scalar()
    assert "answers" not in str(raw)
    assert (await runtime.store.load(recent)).state["flow"]["answers"], "a form still in time is kept"
    out = await runtime.engine.handle(InboundMessage(key=left, text="مرحبا"))  # they come back: a fresh start
    assert out.replies


async def test_pushed_officer_replies_are_answers_and_updates_are_notifications(runtime) -> None:
    """Opted-out people still get an officer's answer to their own request, but no notifications."""
    from sqlalchemy import select

    from bot.types import Text
    from storage.models import Outbox

    k = key("+966551234567", channel="sms")
    await runtime.engine.handle(InboundMessage(key=k, text="مرحبا"))
    await runtime.engine.push(k, lambda ctx: ctx.say(Text("رد الموظف", kind="human")),
                              author="officer:s1", notification=False)
    await runtime.engine.push(k, lambda ctx: ctx.say(Text("تحديث على طلبك", kind="info")), author="system")
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(select(Outbox.payload))).all()
    flags = {r.payload["text"]: r.payload.get("notification") for r in rows}
    assert flags["رد الموظف"] is False and flags["تحديث على طلبك"] is True
