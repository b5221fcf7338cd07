"""In the chat, "احذف بياناتي" / "I want a copy of my data" record a request for an officer and say
what happens next (they used to get the fallback)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.i18n import t
from bot.settings import Settings
from bot.stages.privacy import PHRASES, privacy_intent
from bot.types import ConversationKey, InboundMessage
from storage.db import migrate
from storage.models import AuditLog, Conversation
from wiring.runtime import open_runtime


@pytest.mark.parametrize(("text", "intent", "lang"), [
    ("احذف بياناتي", "erase", "ar"),
    ("لو سمحت امسحوا بياناتي كلها", "erase", "ar"),
    ("ابي نسخة من بياناتي", "export", "ar"),
    ("Please delete my data", "erase", "en"),
    ("I want a copy of my data", "export", "en"),
])
async def test_a_data_request_is_recorded_for_an_officer(sqlite_settings: Settings, text: str, intent: str,
                                                        lang: str) -> None:
    await migrate(sqlite_settings)
    async with open_runtime(sqlite_settings) as rt:
        key = ConversationKey("amass", "webchat", "9" * 32)
        await rt.engine.handle(InboundMessage(key=key, text="ابي اقدم على مساعدة"))  # a form in progress
        out = await rt.engine.handle(InboundMessage(key=key, text=text))
        said = "\n".join(getattr(r, "text", "") for r in out.replies)
        officer = rt.packs["amass"].pack.referral_officer.get(lang)
        org = rt.packs["amass"].pack.short_name.get(lang)
        assert t(f"privacy.{intent}_recorded", lang, officer=officer, org=org) in said
        assert rt.db is not None
        async with rt.db.reader.connect() as conn:
            status = (await conn.execute(select(Conversation.status).where(Conversation.id == out.conversation_id)))
            row = (await conn.execute(select(AuditLog.detail, AuditLog.target)
                                      .where(AuditLog.action == "privacy.request"))).one()
        assert status.scalar() == "waiting", "an officer verifies the person and acts"
        assert row.detail["kind"] == intent and row.target == out.conversation_id


def test_phrases_are_in_one_place_and_other_requests_are_not_taken_for_them() -> None:
    assert all(privacy_intent(p) == intent for intent, phrases in PHRASES.items() for p in phrases)
    for text in ("ابي احدث بياناتي", "ابي اقدم على مساعدة", "how do I update my data", "وش حالة طلبي"):
        assert privacy_intent(text) is None, text
