"""Cases in the console: list and filter, detail, status changes that tell the beneficiary.

A status change goes through ``CaseService.change_status`` with the version the officer saw, so
a second officer acting on an old page gets ``StaleCase`` and nothing is overwritten. The
beneficiary is told in their language on the channel they filed on (``Engine.push`` on the
case's conversation), and a decision (approved / rejected / completed) is followed by one
satisfaction survey.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.context import TurnContext
from bot.i18n import t
from bot.records import CaseSummary
from bot.stages.needs_info import NEEDS_INFO_KEY
from bot.stages.status import status_label
from bot.stages.survey import survey_compose
from bot.types import Text
from console.auth import StaffUser
from console.service import ConvRow, Forbidden, NotFound, aware, create_survey
from storage.cases import OPEN_STATUSES, STATUSES
from storage.crypto import mask
from storage.models import Beneficiary, Case, Conversation, ConversationState
from storage.staff import staff_names as storage_staff_names
from wiring.runtime import Runtime

DECISIONS = ("approved", "rejected", "completed")
PENDING = ("submitted", "under_review", "needs_info")
MAX_COMMENT = 1000


def overdue_cutoff(runtime: Runtime, org: str, now: datetime) -> datetime | None:
    days = runtime.packs[org].pack.decision_min_days if org in runtime.packs else None
    return now - timedelta(days=days) if days else None


async def list_cases(runtime: Runtime, user: StaffUser, *, status: str = "", age: str = "", q: str = "",
                     org: str = "") -> list[dict[str, Any]]:
    assert runtime.db is not None
    now = datetime.now(UTC)
    orgs = [org] if org and user.can(org) else list(user.orgs)
    stmt = select(Case.id, Case.org, Case.reference, Case.status, Case.flow_id, Case.created_at,
                  Case.decision_due_at, Case.national_id_last4, Case.version, Case.channel).where(Case.org.in_(orgs))
    if status in STATUSES:
        stmt = stmt.where(Case.status == status)
    q = q.strip().upper()[:20]
    if q:
        stmt = stmt.where(Case.reference.contains(q, autoescape=True))
    if age == "week":
        stmt = stmt.where(Case.created_at <= now - timedelta(days=7))
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(stmt.order_by(Case.created_at).limit(500))).all()
    out = []
    for r in rows:
        created = aware(r.created_at) or now
        cutoff = overdue_cutoff(runtime, r.org, now)
        overdue = r.status in PENDING and cutoff is not None and created <= cutoff
        if age == "overdue" and not overdue:
            continue
        out.append({"id": r.id, "org": r.org, "reference": r.reference, "status": r.status, "flow_id": r.flow_id,
                    "created_at": created, "age_days": (now - created).days, "overdue": overdue,
                    "nid": mask(("0" * 6 + r.national_id_last4) if r.national_id_last4 else None),
                    "version": r.version, "channel": r.channel})
    return out


async def load_case(runtime: Runtime, user: StaffUser, case_id: str) -> Any:
    assert runtime.db is not None
    if len(case_id) > 32:
        raise NotFound(case_id)
    async with runtime.db.reader.connect() as conn:
        row = (await conn.execute(select(Case).where(Case.id == case_id))).first()
    if row is None:
        raise NotFound(case_id)
    if not user.can(row.org):
        raise Forbidden(case_id)
    return row


async def case_conversation(runtime: Runtime, conversation_id: str | None) -> ConvRow | None:
    assert runtime.db is not None
    if not conversation_id:
        return None
    async with runtime.db.reader.connect() as conn:
        row = (await conn.execute(
            select(Conversation.id, Conversation.org, Conversation.channel, Conversation.address,
                   Conversation.beneficiary_id, Conversation.status, Conversation.updated_at,
                   ConversationState.data, Beneficiary.display_name)
            .join(ConversationState, ConversationState.conversation_id == Conversation.id)
            .join(Beneficiary, Beneficiary.id == Conversation.beneficiary_id)
            .where(Conversation.id == conversation_id))).first()
    if row is None:
        return None
    return ConvRow(row.id, row.org, row.channel, row.address, row.beneficiary_id, row.status,
                   dict(row.data or {}), row.display_name, aware(row.updated_at) or datetime.now(UTC))


#: statuses whose comment is written to the beneficiary (the reason; what is still needed)
TOLD_WHY = frozenset({"rejected", "needs_info"})


async def change_status(runtime: Runtime, user: StaffUser, case: Any, *, to_status: str, version: int,
                        comment: str) -> CaseSummary:
    """Raises StaleCase / BadTransition from CaseService; tells the beneficiary when it worked."""
    assert runtime.cases is not None
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ValueError("comment")
    if to_status in TOLD_WHY and not comment:
        raise ValueError("comment_required")  # a rejection needs its reason, a request for info says what
    summary = await runtime.cases.change_status(case.id, expected_version=version, to_status=to_status,
                                                actor=f"staff:{user.id}", comment=comment or None)
    conv = await case_conversation(runtime, case.conversation_id)
    if conv is not None:
        survey_id = None
        if to_status in DECISIONS:
            survey_id = await create_survey(runtime, conv, trigger="case",
                                            trigger_key=f"case:{case.id}:{to_status}", officer_id=user.id)

        def compose(ctx: TurnContext) -> None:
            label = status_label(to_status, ctx.lang)
            text = t("case.status_update", ctx.lang, reference=case.reference, status=label)
            if to_status in TOLD_WHY:
                text += "\n" + t(f"case.why.{to_status}", ctx.lang, comment=comment)
            ctx.say(Text(text, kind="info"))
            if to_status == "needs_info":  # the person's next words are the missing information
                ctx.state.extra[NEEDS_INFO_KEY] = {"case_id": case.id, "reference": case.reference,
                                                   "at": ctx.now.isoformat()}
            else:
                ctx.state.extra.pop(NEEDS_INFO_KEY, None)
            if survey_id:
                survey_compose(survey_id)(ctx)

        await runtime.engine.push(conv.key, compose, author="system")
    return summary


async def staff_names(runtime: Runtime, ids: set[str]) -> dict[str, str]:
    return await storage_staff_names(runtime.db, ids)


__all__ = ["DECISIONS", "OPEN_STATUSES", "change_status", "list_cases", "load_case"]
