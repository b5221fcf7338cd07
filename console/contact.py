"""The contact panel beside a conversation: who this person is to the association.

Their channels (masked, with opt-out), their requests and the ratings they gave, in one card, so
an officer answering on WhatsApp sees the Telegram history and the open request without asking
the person to repeat themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from console.service import ConvRow, aware
from storage.models import ChannelIdentity, Conversation, Survey
from wiring.broadcasts import mask_address
from wiring.runtime import Runtime


async def contact_panel(runtime: Runtime, conv: ConvRow) -> dict[str, Any]:
    assert runtime.db is not None
    async with runtime.db.reader.connect() as conn:
        identities = (await conn.execute(
            select(ChannelIdentity.channel, ChannelIdentity.address, ChannelIdentity.opted_out_at,
                   ChannelIdentity.last_inbound_at)
            .where(ChannelIdentity.beneficiary_id == conv.beneficiary_id, ChannelIdentity.org == conv.org)
            .order_by(ChannelIdentity.created_at)
        )).all()
        surveys = (await conn.execute(
            select(Survey.rating, Survey.trigger, Survey.sent_at, Survey.answered_at)
            .join(Conversation, Conversation.id == Survey.conversation_id)
            .where(Conversation.beneficiary_id == conv.beneficiary_id, Survey.org == conv.org)
            .order_by(Survey.sent_at.desc()).limit(10)
        )).all()
    return {
        "channels": [{"channel": i.channel,
                      "address": mask_address(i.address) if i.channel in ("sms", "whatsapp") else "",
                      "opted_out": i.opted_out_at is not None, "last": aware(i.last_inbound_at)}
                     for i in identities],
        "surveys": [{"rating": s.rating, "trigger": s.trigger, "at": aware(s.sent_at)} for s in surveys],
    }
