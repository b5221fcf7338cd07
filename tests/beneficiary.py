"""A beneficiary played through the real engine, for the tests that hold conversations (issue 13's
understanding, forms, the survey, pauses, crisis): the person, what their replies say, an officer
account, and an officer closing a conversation so that the survey is pushed.

Why a module of its own: test modules do not import one another (tests/test_architecture.py), and
five of them play conversations the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text as sql

from bot.types import Attachment, ConversationKey, InboundMessage, reply_to_json
from console import service
from console.auth import StaffUser, create_staff
from tests.harness import FORM_ANSWERS

ORGS = ["taheel", "amass", "ilm-alhajj", "rida", "ratel"]


class Person:
    """One beneficiary of one association on the web chat; ``say`` returns the replies as JSON."""

    def __init__(self, rt: Any, org: str = "amass", address: str = "p1") -> None:
        self.rt, self.key = rt, ConversationKey(org, "webchat", address)
        self.events: list[dict[str, Any]] = []

    async def say(self, text: str = "", *, button: str | None = None,
                  attachments: tuple[Attachment, ...] = ()) -> list[dict[str, Any]]:
        out = await self.rt.engine.handle(InboundMessage(key=self.key, text=text, button_value=button,
                                                         attachments=attachments))
        return [reply_to_json(r) for r in out.replies]

    async def state(self) -> Any:
        self.rt.store.forget(self.key)
        return await self.rt.store.load(self.key)

    async def fill(self, until: str | None = None) -> list[dict[str, Any]]:
        """Answer the form validly until it asks for ``until`` (or until it is filed)."""
        replies = await self.say(button="flow:support_request")
        for _ in range(30):
            exp = next((r["expect"] for r in reversed(replies) if r["expect"]), None)
            if exp is None or exp["field"] == until:
                return replies
            buttons = [b["value"] for r in replies for b in r["buttons"]]
            if exp["choices"] or exp["field"].startswith("_"):
                pick = next((b for b in buttons if b in {"confirm", "accept"}), buttons[0])
                replies = await self.say(button=pick)
            else:
                replies = await self.say({**FORM_ANSWERS, "attachment": "تخطي"}.get(exp["type"], "لا يوجد"))
        raise AssertionError("the form never ended")


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] for r in replies)


def kinds(replies: list[dict[str, Any]]) -> list[str]:
    return [r["kind"] for r in replies]


def buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [b["value"] for r in replies for b in r["buttons"]]


def field_of(replies: list[dict[str, Any]]) -> str | None:
    return next((r["expect"]["field"] for r in reversed(replies) if r["expect"]), None)


async def officer(rt: Any) -> StaffUser:
    staff_id = await create_staff(rt.db, email="o@example.org", name="Officer", role="admin", orgs=ORGS,
                                  password="officer-password-123456", known_orgs=set(rt.packs), actor="test")
    return StaffUser(id=staff_id, email="o@example.org", name="Officer", role="admin", orgs=tuple(ORGS),
                     session_id="s", csrf="c")


#: one officer account per runtime (its e-mail address is unique)
_OFFICERS: dict[str, Any] = {}


async def closed_by_officer(rt: Any, p: Person) -> list[dict[str, Any]]:
    """Ask for an officer, who claims the conversation and closes it: the survey is pushed."""
    await p.say("ابي اكلم موظف")
    user = _OFFICERS.get(str(rt.settings.data_dir)) or await officer(rt)
    _OFFICERS[str(rt.settings.data_dir)] = user
    conv_id = (await p.state()).id
    await service.claim(rt, user, await service.load_conversation(rt, user, conv_id))
    before = len(await history(rt, conv_id))
    await service.close(rt, user, await service.load_conversation(rt, user, conv_id))
    pushed = (await history(rt, conv_id))[before:]
    assert any("رأيك يهمنا" in m for m in pushed), pushed
    return []


async def history(rt: Any, conv_id: str) -> list[str]:
    async with rt.db.reader.connect() as conn:
        rows = await conn.execute(sql("SELECT text FROM messages WHERE conversation_id = :c ORDER BY seq"),
                                  {"c": conv_id})
        return [str(r[0]) for r in rows]


async def survey_row(rt: Any) -> tuple[Any, Any]:
    async with rt.db.reader.connect() as conn:
        row = (await conn.execute(sql("SELECT rating, comment FROM surveys"))).one()
    return row[0], row[1]
