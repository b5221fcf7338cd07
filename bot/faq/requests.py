"""A wish for one of the association's services, in the words people use, starts its form.

"ابي اسجل ولدي في حلقة تحفيظ", "ابغى خدمه", "abi atlob khedma", "I want to apply for support":
a wish or a request verb (core vocabulary, ``intents.yaml``) together with the name of one of the
association's services (pack data: each flow's ``intents`` and the words of its title) is a
request to start that flow, whatever the nearest FAQ topic would have been. A question about an
existing request (status, cancelling, conditions, how long) is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.faq.intents import phrase_spans
from bot.faq.normalize import normalize
from bot.flows.schema import FlowDef

__all__ = ["RequestIntents", "build_requests"]

#: title words too general to name a service on their own
_TITLE_STOP = frozenset(normalize(
    "طلب ال في من الى على عن او و بيانات خدمه تسجيل request my the a an of to for with details your us service sign up"
).split())


#: a message opening with one of these asks *about* something ("who decides on my request?",
#: "هل يمكن تقديم الخدمة عن بعد؟"); "how do I apply" and "وين اقدم" still ask to do it
_ASKS_ABOUT = frozenset(normalize(
    "هل ماذا متى كم لماذا ليش مين من وش ايش ما ماهي ماهو شو what when why which who whom whose is are am do does "
    "did will would should shall"
).split())


@dataclass(frozen=True, slots=True)
class RequestIntents:
    #: flow id → its service names as token tuples (normalised)
    names: Mapping[str, tuple[tuple[str, ...], ...]]

    def flow_for(self, variants: list[str], *, question: bool = False, verb_only: bool = False) -> str | None:
        """The flow a message asks to start, or None. With a question mark a wish alone is not
        enough ("ابي اقيم الخدمه، بيعاقبون الموظف؟"); a request verb is ("وين اقدم طلب؟").
        ``verb_only``: only a request verb counts (a wish alone yields to a confident FAQ answer)."""
        best: tuple[int, int, str] | None = None
        for v in variants:
            toks = v.split()
            if not toks or len(toks) > 30:
                continue
            if toks[0] in _ASKS_ABOUT or phrase_spans(toks, "request_block"):
                continue
            verb = bool(phrase_spans(toks, "request_verbs"))
            want = bool(phrase_spans(toks, "want_verbs"))
            wish = verb or (want and not question and not verb_only)
            if not wish:
                continue
            if verb and want and "support_request" in self.names and best is None:
                best = (0, -len(self.names), "support_request")  # "I want to apply": the main request
            for order, (flow_id, names) in enumerate(self.names.items()):
                hits = sum(1 for name in names if _contains(toks, name))
                if hits and (best is None or (hits, -order) > (best[0], best[1])):
                    best = (hits, -order, flow_id)
        return best[2] if best else None


def _contains(toks: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(toks[i : i + n]) == phrase for i in range(len(toks) - n + 1))


def build_requests(flows: Mapping[str, FlowDef]) -> RequestIntents:
    """Service names per flow: the pack's ``intents`` and the meaningful words of each title."""
    names: dict[str, tuple[tuple[str, ...], ...]] = {}
    for flow_id, flow in flows.items():
        found: set[tuple[str, ...]] = set()
        for phrase in flow.intents:
            toks = tuple(normalize(phrase).split())
            if toks:
                found.add(toks)
        for title in (flow.title.ar, flow.title.en):
            found.update((w,) for w in normalize(title).split() if w not in _TITLE_STOP and len(w) > 2)
        if found:
            names[flow_id] = tuple(sorted(found))
    return RequestIntents(names)
