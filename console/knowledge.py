"""`/console/knowledge` and `/console/settings`: what an association's assistant knows and is set to.

An admin sees each FAQ topic of
their association — the clause it rests on, the answer in Arabic and English, what it does
(answer, start a form, hand to an officer) and how people ask it — and can type a question to
see what the assistant would answer and why: the decision, the calibrated probability, and the
topics the matcher ranked. The try box runs the same decision `sila ask` does, on the pack the
server loaded, and changes nothing, so it is not audited. The settings page shows the pack's
facts and settings, marking what is not set yet (contact details no policy states, which an
import leaves empty) so an admin sees what to fill in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import select

from bot.faq.decide import decide_traced
from bot.faq.org import get_index
from console.web import USER_KEY, forbidden, lang_of, need, render, runtime_of
from storage.db import Database
from storage.models import Staff

__all__ = ["chosen", "knowledge_page", "knowledge_view", "settings_page", "settings_view", "staff_names"]

#: the longest question the try box takes (a question, not a document)
MAX_QUESTION = 500


@dataclass(frozen=True)
class Tried:
    """What the assistant would do with one question, for the page."""

    question: str
    kind: str
    topic: str | None
    clause: str
    text: str
    probability: float | None
    #: answered on the topic classifier's agreement, below the matcher's own answer cut-off
    seconded: bool
    ranked: list[tuple[str, str, float]]  # (topic id, clause, matcher score)
    suggestions: list[str]


def try_question(pack: Any, question: str, lang: str) -> Tried:
    org = get_index(pack)
    decision, match = decide_traced(org, question)
    topics = {t.id: t for t in pack.faq.topics}
    topic = topics.get(decision.topic_id or "")
    ranked = []
    if match is not None:
        for tid, score in list(zip(match.topics, match.scores, strict=False))[:3]:
            if tid in topics:
                ranked.append((tid, topics[tid].clause.get(lang), round(float(score), 3)))
    return Tried(
        question=question, kind=decision.kind, topic=decision.topic_id,
        clause=topic.clause.get(lang) if topic else "",
        text=decision.text or (topic.answer.get(decision.lang) if topic else ""),
        probability=round(decision.score, 3) if decision.score is not None else None,
        seconded=decision.seconded,
        ranked=ranked, suggestions=[label for _tid, label in decision.suggestions],
    )


async def chosen(request: web.Request) -> tuple[list[str], str]:
    """The admin's associations and the one asked for (403 for one they do not serve)."""
    user = await need(request, "admin")
    runtime = runtime_of(request)
    orgs = [o for o in user.orgs if o in runtime.packs]
    if not orgs:
        raise forbidden(request)
    org = request.query.get("org") or orgs[0]
    if org not in orgs:
        raise forbidden(request)
    return orgs, org


def _orgs(request: web.Request, org: str) -> list[str]:
    user = request.get(USER_KEY)
    runtime = runtime_of(request)
    return [o for o in getattr(user, "orgs", [org]) if o in runtime.packs]


def _version(request: web.Request, org: str) -> int:
    registry = runtime_of(request).knowledge
    return registry.versions.get(org, 0) if registry is not None else 0


async def staff_names(db: Database, authors: set[str]) -> dict[str, str]:
    """``staff:<id>`` → the person's name, for history pages."""
    ids = [a.removeprefix("staff:") for a in authors if a.startswith("staff:")]
    if not ids:
        return {}
    async with db.reader.connect() as conn:
        rows = (await conn.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids)))).all()
    return {f"staff:{r.id}": r.name for r in rows}


async def settings_view(request: web.Request, org: str, *, refusal: dict[str, Any] | None = None,
                        status: int = 200) -> web.Response:
    runtime = runtime_of(request)
    return render(request, "org_settings.html", status=status, orgs=_orgs(request, org), org=org,
                  pack=runtime.packs[org].pack, flows=runtime.packs[org].flows, version=_version(request, org),
                  refusal=refusal, editable=runtime.knowledge is not None and runtime.db is not None)


async def knowledge_view(request: web.Request, org: str, *, refusal: dict[str, Any] | None = None,
                         status: int = 200) -> web.Response:
    runtime = runtime_of(request)
    pack = runtime.packs[org]
    lang = lang_of(request)
    question = request.query.get("q", "").strip()[:MAX_QUESTION]
    tried = try_question(pack, question, lang) if question else None
    return render(request, "knowledge.html", status=status, orgs=_orgs(request, org), org=org, pack=pack,
                  tried=tried, question=question, max_question=MAX_QUESTION, version=_version(request, org),
                  refusal=refusal, editable=runtime.knowledge is not None and runtime.db is not None)


async def settings_page(request: web.Request) -> web.Response:
    _, org = await chosen(request)
    return await settings_view(request, org)


async def knowledge_page(request: web.Request) -> web.Response:
    _, org = await chosen(request)
    return await knowledge_view(request, org)
