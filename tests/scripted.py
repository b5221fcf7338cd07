"""One person who types their national ID everywhere, on every channel (shared by the privacy tests).

``Channels.send`` sends a message the way each channel's provider does (web chat socket,
Telegram webhook, signed Twilio form, the terminal channel's engine call); ``fill_form`` answers
a request form to the end with the ID in the description too.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.flows.validators import saudi_id_check_digit
from bot.i18n import t
from bot.types import ConversationKey, InboundMessage
from channels.telegram import SECRET_HEADER
from channels.telegram_bot import secret_for
from tests.fakes import telegram_api as tga
from tests.fakes import twilio_api as twa
from tests.harness import FORM_ANSWERS, Harness, settle, transcript

FIRST9 = "109876543"
NID = FIRST9 + str(saudi_id_check_digit(FIRST9))
NID_INDIC = NID.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
#: what a person writes, in order; ``{form}`` marks where the request form is filled in
SCRIPT = [f"السلام عليكم، رقم هويتي {NID}", f"هل أقدر أقدم برقم الهوية {NID_INDIC}؟", "ابي اقدم على مساعدة"]
ANSWERS = {**FORM_ANSWERS, "national_id": NID, "description": f"أحتاج دعماً للعلاج، هويتي {NID} للتأكد",
           "text": f"هويتي {NID}"}
PHONE = "+966512340001"
CHAT = 515151
VISITOR = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


class Channels:
    """One person's messages on each channel, sent the way that channel's provider sends them."""

    def __init__(self, h: Harness, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.h, self.ws = h, ws

    async def send(self, channel: str, text: str) -> None:
        h = self.h
        if channel == "webchat":
            await self.ws.send_str(json.dumps({"type": "message", "text": text}))
            while json.loads((await self.ws.receive(timeout=20)).data)["type"] != "turn_end":
                pass
        elif channel == "telegram":
            r = await h.client.post("/telegram/amass/webhook", json=tga.text_update(CHAT, text),
                                    headers={SECRET_HEADER: secret_for(h.settings, "amass")})
            assert r.status == 200
        elif channel in ("sms", "whatsapp"):
            status = await twa.signed_post(f"{h.url}/twilio/amass/{channel}",
                                           twa.inbound_params(PHONE, text, whatsapp=channel == "whatsapp"))
            assert status == 200
        else:
            await h.runtime.engine.handle(InboundMessage(key=ConversationKey("amass", "terminal", "tty1"), text=text))
        await settle(h)

    @staticmethod
    def address(channel: str) -> str:
        return {"webchat": VISITOR, "telegram": str(CHAT), "sms": PHONE, "whatsapp": PHONE}.get(channel, "tty1")


async def fill_form(ch: Channels, channel: str) -> list[str]:
    """Answer every question of the request form; the fields asked, in order."""
    asked = []
    for _ in range(30):
        outs = [m for m in await transcript(ch.h, "amass", channel, ch.address(channel)) if m.direction == "out"]
        payload: dict[str, Any] = outs[-1].payload or {}
        expect = payload.get("expect")
        if not expect:
            break
        asked.append(expect["field"])
        buttons = [b for b in payload.get("buttons") or [] if b["value"] not in ("skip", "handoff", "menu")]
        if expect["type"] == "attachment":
            answer = t("flow.skip_button", "ar")
        elif expect["type"] in ANSWERS:
            answer = ANSWERS[expect["type"]]
        elif buttons:
            answer = buttons[0]["label"]
        else:
            answer = "نعم"
        await ch.send(channel, answer)
    return asked


def id_bytes() -> list[bytes]:
    return [NID.encode(), NID_INDIC.encode(), NID.encode("utf-16-le")]
