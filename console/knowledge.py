"""`/console/knowledge` and `/console/settings`: what an association's assistant knows and is set to.

Read-only for now (the first step of issue 17's self-service): an admin sees each FAQ topic of
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

from bot.faq.decide import decide_traced
from bot.faq.org import get_index
from console.web import forbidden, lang_of, need, render, runtime_of

__all__ = ["knowledge_page", "settings_page"]

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
        ranked=ranked, suggestions=[label for _tid, label in decision.suggestions],
    )


async def _chosen(request: web.Request) -> tuple[list[str], str]:
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


async def settings_page(request: web.Request) -> web.Response:
    orgs, org = await _chosen(request)
    return render(request, "org_settings.html", orgs=orgs, org=org, pack=runtime_of(request).packs[org].pack)


async def knowledge_page(request: web.Request) -> web.Response:
    orgs, org = await _chosen(request)
    pack = runtime_of(request).packs[org]
    lang = lang_of(request)
    question = request.query.get("q", "").strip()[:MAX_QUESTION]
    tried = try_question(pack, question, lang) if question else None
    return render(request, "knowledge.html", orgs=orgs, org=org, pack=pack, tried=tried, question=question,
                  max_question=MAX_QUESTION)
