"""Phrasings borrowed from the other shipped associations, for the topics every policy shares.

Why: the beneficiary relationship policies follow one template, so the associations share most
topic ids (contact_channels, decision_period, support_conditions…), and the ways people ask
"how long until you decide?" do not depend on the association. Each pack holds 1,500–1,650
phrasings written for it; the other four hold another 1,200–1,500 distinct ones for the same
topics. A question worded in a way no phrasing of its own association shares is often worded
like one of theirs. Matched one by one (never pooled into the topic's own text, where they would
outweigh the association's own words, :class:`bot.faq.index.FaqIndex`), they lifted the two
development sets that were scored with the packs as they stood when each set arrived (questions
in words the packs had not yet seen): dev4 271 → 280 of 322 in scope, dev5 270 → 273 of 312, with
no more wrong answers and no out-of-scope question answered; on the sets whose misses had been
added to the packs (dev, dev2, dev3, faq_eval, the first held-out set) the total moved
1,574 → 1,577, out-of-scope refusals unchanged. Cost: an index holds about twice the phrasings
(21–23 → 28–32 MB, a build 0.7–1.1 → 1.2–2.0 s on an idle core).

What is borrowed: the phrasings of the packs shipped in the repository's ``orgs/`` (release data,
not a deployment's edited packs, so one association's edit never rebuilds another's index), for
the topic ids the association itself has, each distinct text once, less the texts it already has
and those that name the association they were written for ("وش هي جمعية أمس" is not a way to
ask Rida who it is).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.faq.bodies import own_names
from bot.faq.index import Doc
from bot.faq.normalize import normalize
from bot.packs import PackError, load_all

__all__ = ["SHIPPED_ORGS", "borrowed_docs"]

log = logging.getLogger("sila.faq")

#: the associations shipped with Sila: the phrasebook's source, whatever ``SILA_ORGS_DIR`` says
SHIPPED_ORGS = Path(__file__).resolve().parents[2] / "orgs"


@dataclass(frozen=True, slots=True)
class _Source:
    """One shipped association's phrasings, (topic id, text) in pack order."""

    slug: str
    phrasings: tuple[tuple[str, str], ...]


@cache
def _library() -> tuple[_Source, ...]:
    """The shipped packs' phrasings, without those that name their own association."""
    try:
        packs = load_all(SHIPPED_ORGS)
    except PackError as exc:  # an installation without the shipped packs borrows nothing
        log.warning("no phrasebook: %s", exc)
        return ()
    sources = []
    for slug, loaded in packs.items():
        short = loaded.pack.short_name
        names = own_names([], [short.ar, short.en]).distinctive
        rows: list[tuple[str, str]] = []
        for topic in loaded.faq.topics:
            rows += [(topic.id, text) for text in topic.questions if not names & set(normalize(text).split())]
        sources.append(_Source(slug, tuple(rows)))
    return tuple(sources)


def borrowed_docs(slug: str, topic_ids: Iterable[str], own: Iterable[Doc]) -> list[Doc]:
    """The other shipped associations' phrasings of ``topic_ids`` that ``own`` (the association's
    phrasings) does not already have, each once, marked ``borrowed``; in a stable order."""
    wanted = set(topic_ids)
    seen = {(d.topic, normalize(d.text)) for d in own}
    out: list[Doc] = []
    for source in _library():
        if source.slug == slug:
            continue
        for topic, text in source.phrasings:
            key = (topic, normalize(text))
            if topic in wanted and key not in seen:
                seen.add(key)
                out.append(Doc(topic, text, borrowed=True))
    return out
