"""Beneficiaries, identities, profiles and cases written straight into the tables, for broadcasts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot.ids import new_id
from storage.db import Database
from storage.models import Beneficiary, Case, ChannelIdentity, Profile


async def seed(db: Database, *, org: str = "amass", channel: str = "sms", n: int = 10, city: str = "جدة",
               lang: str = "ar", start: int = 0, inbound_hours_ago: float | None = 1.0,
               case_status: str | None = None, name: str | None = None, prefix: str = "+9665") -> list[str]:
    """``n`` people on ``channel``; returns their addresses (E.164 for Twilio, chat ids for Telegram)."""
    now = datetime.now(UTC)
    bens: list[dict[str, Any]] = []
    ids: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    addresses = []
    for i in range(start, start + n):
        bid = new_id()
        address = str(700_000_000 + i) if channel == "telegram" else f"{prefix}{i:08d}"
        addresses.append(address)
        bens.append({"id": bid, "org": org, "display_name": name or f"مستفيد {i}", "lang": lang,
                     "phone_e164": None, "created_at": now})
        ids.append({"id": new_id(), "org": org, "channel": channel, "address": address, "beneficiary_id": bid,
                    "last_inbound_at": now - timedelta(hours=inbound_hours_ago) if inbound_hours_ago is not None
                    else None, "opted_out_at": None, "unreachable_at": None, "created_at": now,
                    "opted_in_at": None})
        profiles.append({"beneficiary_id": bid, "org": org, "city": city, "updated_at": now})
        if case_status:
            cid = new_id()
            cases.append({"id": cid, "org": org, "reference": f"T-{cid[-16:]}", "beneficiary_id": bid,
                          "channel": channel, "flow_id": "support_request", "status": case_status, "data": {},
                          "declaration": {}, "version": 1, "submit_key": f"seed-{cid}", "created_at": now,
                          "updated_at": now})
    async with db.writer.begin() as conn:
        for table, rows in ((Beneficiary, bens), (ChannelIdentity, ids), (Profile, profiles), (Case, cases)):
            for i in range(0, len(rows), 5000):
                if rows[i:i + 5000]:
                    await conn.execute(insert(table), rows[i:i + 5000])
    return addresses
