"""A broadcast's test send: its text to one address (the coordinator's own phone), before the real send.

Shared by ``sila broadcast test`` and the console's broadcast page, so both say the same thing
and send the same way: through the channel's adapter directly, not the outbox (a test message
belongs to no conversation and is never retried into someone else's chat).
"""

from __future__ import annotations

from typing import Any

from bot.ids import new_id
from bot.records import OutboxItem
from bot.types import Text
from channels.push import PushChannels
from storage import broadcasts as bs
from wiring.broadcasts import BroadcastRefused


def adapters_of(push: PushChannels) -> dict[str, Any]:
    return {"telegram": push.telegram, "whatsapp": push.twilio, "sms": push.twilio}


async def send_test(adapters: dict[str, Any], bc: bs.BroadcastRecord, channel: str, to: str, lang: str) -> str:
    """Send ``bc``'s text in ``lang`` to ``to`` on ``channel``; the provider's message id."""
    adapter = adapters.get(channel)
    if adapter is None or not adapter.can_send(bc.org, channel):
        raise BroadcastRefused(f"{channel} is not configured for {bc.org}", "channel_unconfigured", channel=channel)
    if not to.strip():
        raise BroadcastRefused("--to: give an address to send the test to", "test_address")
    text = bc.text_for(lang)
    payload: dict[str, Any] = {"type": "text", "text": text, "notification": True, "kind": "broadcast"}
    if bc.template:
        payload["template"] = bc.template
    item = OutboxItem(id=new_id(), message_id="", conversation_id="", org=bc.org, channel=channel,
                      address=to.strip(), payload=payload, attempts=1)
    template = adapter.template_for(item) if channel == "whatsapp" and bc.template else None
    return str(await adapter.send(item, adapter.parts(item, Text(text)), template))
