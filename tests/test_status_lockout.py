"""Status verification cannot be guessed: failures are counted per reference and per person,
durably, across inquiries and visitors, with a lock-out that grows (finding 7).

Before, the counter lived in one inquiry's state (a new inquiry or visitor started afresh) and
the last four digits of *either* the ID or the mobile unlocked the request.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.settings import Settings
from bot.types import ConversationKey, InboundMessage
from storage.db import create_database, migrate
from storage.models import AuditLog, Case, Conversation
from storage.verification import FREE_PER_PERSON, AuditVerificationGuard, lock_until
from tests.harness import Harness
from wiring.runtime import Runtime, open_runtime

NID, MOBILE = "1098765439", "+966512340001"
RIGHT = f"{NID[-4:]} {MOBILE[-4:]}"


async def file_case(rt: Runtime) -> str:
    owner = await rt.engine.handle(InboundMessage(key=ConversationKey("amass", "webchat", "0" * 32), text="مرحبا"))
    assert rt.db is not None and rt.cases is not None
    async with rt.db.reader.connect() as conn:
        ben = (await conn.execute(select(Conversation.beneficiary_id)
                                  .where(Conversation.id == owner.conversation_id))).scalar_one()
    case = await rt.cases.create(org="amass", code="AMS", beneficiary_id=ben, conversation_id=None, channel="webchat",
                                 flow_id="support_request", answers={"national_id": NID, "mobile": MOBILE},
                                 declaration={}, consent=None, decision_min_days=14, submit_key="k1")
    return case.reference


async def ask(rt: Runtime, visitor: str, reference: str, answer: str) -> str:
    """A whole inquiry from ``visitor``: start it, give the reference, answer the check."""
    key = ConversationKey("amass", "webchat", visitor)
    texts = []
    for text, button in (("", "flow:status_inquiry"), (reference, None), (answer, None)):
        out = await rt.engine.handle(InboundMessage(key=key, text=text, button_value=button))
        texts += [getattr(r, "text", "") for r in out.replies]
    return "\n".join(texts)


async def test_31_guesses_across_new_visitors_never_reveal_the_request(sqlite_settings: Settings) -> None:
    await migrate(sqlite_settings)
    async with open_runtime(sqlite_settings) as rt:
        reference = await file_case(rt)
        assert reference in await ask(rt, "f" * 32, reference, RIGHT), "the owner's details do verify"
        guesses = [NID[-4:], MOBILE[-4:]]  # what used to be enough: either one alone
        guesses += [f"{n:04d} {MOBILE[-4:]}" for n in range(28)]
        guesses.append(RIGHT)  # the 31st guess is right, but the reference is locked by then
        for i, guess in enumerate(guesses):
            reply = await ask(rt, f"{i + 1:032x}", reference, guess)
            assert reference not in reply, f"guess {i + 1} ({guess!r}) revealed the request"
        assert rt.db is not None
        async with rt.db.reader.connect() as conn:
            failed = (await conn.execute(select(AuditLog.id).where(AuditLog.action == "case.status_failed"))).all()
        # every attempt is counted before it is checked (the owner's too, then marked verified);
        # after three failures the reference is locked and later guesses are not even checked
        assert len(failed) == 1 + 3
        # the lock-out ends (here: its rows aged past it) and the right answer works again
        async with rt.db.writer.begin() as conn:
            await conn.execute(update(AuditLog).where(AuditLog.action == "case.status_failed")
                               .values(at=datetime.now(UTC) - timedelta(hours=1)))
        assert reference in await ask(rt, "e" * 32, reference, RIGHT)


async def test_one_person_walking_through_references_is_locked_too(sqlite_settings: Settings) -> None:
    await migrate(sqlite_settings)
    async with open_runtime(sqlite_settings) as rt:
        assert rt.db is not None
        guard = AuditVerificationGuard(rt.db)
        now = datetime.now(UTC)
        for n in range(FREE_PER_PERSON):
            assert await guard.attempt(org="amass", reference=f"AMS-26-{n:05d}", who="beneficiary:x", now=now)
        assert not await guard.attempt(org="amass", reference="AMS-26-09999", who="beneficiary:x", now=now)
        assert await guard.attempt(org="amass", reference="AMS-26-09999", who="beneficiary:y", now=now)


def test_the_lock_out_doubles_with_each_further_failure() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    assert lock_until(2, t0, 3) is None
    spans = [lock_until(n, t0, 3) - t0 for n in (3, 4, 5, 6)]  # type: ignore[operator]
    assert spans == [timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2)]
    assert lock_until(40, t0, 3) - t0 == timedelta(days=7)  # type: ignore[operator]


async def test_the_officer_sees_repeated_failures_on_the_case(h: Harness) -> None:
    reference = await file_case(h.runtime)
    await h.staff("officer@amass.sa")
    officer, _, _ = await h.login("officer@amass.sa")
    case_id = await h.scalar(select(Case.id).where(Case.reference == reference))
    assert 'id="verify-failures"' not in (await officer.get(f"/console/cases/{case_id}"))[1]
    for i in range(3):
        await ask(h.runtime, f"{i + 1:032x}", reference, "0000 0000")
    status, html = await officer.get(f"/console/cases/{case_id}")
    assert status == 200 and 'id="verify-failures"' in html and ": 3 ·" in html


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_concurrent_guesses_are_all_counted(sqlite_settings: Settings, backend: str, request: Any) -> None:
    """30 guesses at once (30 sockets, or 30 workers) cannot all read "not locked" first."""
    import asyncio
    import dataclasses

    settings = sqlite_settings
    if backend == "postgresql":
        settings = dataclasses.replace(sqlite_settings, database_url=request.getfixturevalue("pg_url"))
    await migrate(settings)
    db = create_database(settings)
    try:
        guard = AuditVerificationGuard(db)
        now = datetime.now(UTC)
        reference = f"AMS-26-{abs(hash(backend)) % 90000 + 10000:05d}"
        allowed = await asyncio.gather(*[guard.attempt(org="amass", reference=reference, who=f"beneficiary:{i}",
                                                       now=now) for i in range(30)])
        assert sum(allowed) == 3
    finally:
        await db.dispose()
