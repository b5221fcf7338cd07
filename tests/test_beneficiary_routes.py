"""Messages outside the forms that a beneficiary tester found misrouted, through the real engine:
a wish to have one's data deleted, questions taken for requests, outside programmes, two questions
in one message, waiting for an officer, a second insult, going back to a cancelled form, and
asking about someone else's request."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.models import AuditLog
from tests.test_understanding_engine import Person


def _text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] for r in replies)


@pytest.mark.parametrize(("org", "text"), [
    ("taheel", "ابي تحذفون كل بياناتي عندكم"),
    ("amass", "امسحوا معلوماتي من عندكم لو سمحتوا"),
    ("ratel", "please remove all my personal information"),
])
async def test_a_wish_to_delete_ones_data_is_recorded_for_an_officer_not_a_form(rt: Any, org: str,
                                                                                 text: str) -> None:
    p = Person(rt, org)
    replies = await p.say(text)
    assert not any(r["kind"] == "flow" for r in replies), _text(replies)
    assert "سجّلنا طلبك لحذف بياناتك" in _text(replies) or "request to delete your data" in _text(replies)
    assert (await p.state()).status == "waiting"
    async with rt.db.reader.connect() as conn:
        kinds = (await conn.execute(select(AuditLog.detail).where(AuditLog.action == "privacy.request"))).scalars()
        assert [d["kind"] for d in kinds] == ["erase"]
