"""A wish for one of the association's services, in the words people use, starts its form.

"ابي اسجل ولدي في حلقة تحفيظ", "ابغى خدمه", "abi atlob khedma", "I want to apply for support":
a wish or a request verb (core vocabulary, ``intents.yaml``) together with the name of one of the
association's services (pack data: each flow's ``intents`` and the words of its title) is a
request to start that flow, whatever the nearest FAQ topic would have been. A question about an
existing request (status, cancelling, conditions, how long) is not, nor a question about anything
("what", "when", "who" anywhere in it). A bare "I want to apply" starts the main request only when
nothing else is named: "ابي اطلب توصيل من مطعم" asks for something the association does not do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.faq.index import query_variants
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


#: interrogatives that, in the clause of the request verb, make it a question about something rather
#: than a request ("رتل وش تقدم للناس؟": "تقدم" is "you offer" there; "لما اسجل وش البيانات اللي
#: تطلبونها؟" asks what is needed). In a clause of its own it is a follow-up ("I want to apply, what
#: do I do?"). "كيف"/"وين"/"how"/"where" still ask to do it.
_ASKED = frozenset(normalize(
    "هل ماذا متى كم لماذا ليش مين وش ايش ماهي ماهو شو what when why which who whom whose"
).split())

#: what may stand beside "I want to apply" for it to be the association's main request: nothing,
#: the generic words for a request, or who it is for. Anything else names something the
#: association may not do ("ابي اطلب توصيل من مطعم"), which the FAQ (or a refusal) answers.
_GENERIC_OBJECT = frozenset(normalize(
    "طلب طلبات خدمه خدمات مساعده دعم جديد على علي في عند عندكم لكم معكم منكم الحين الان كيف وين اين ممكن اقدر "
    "لو سمحت الله يعافيك يخليك انا نفسي لي ولدي ابني بنتي عيالي اطفالي اخوي اختي امي ابوي والدي والدتي زوجي "
    "زوجتي اهلي اسرتي اسره عايلتي "
    "a an the for to with you your please how can could i do where new now help support request application "
    "service here me my myself son daughter child children kids mother father wife husband family"
    # a follow-up of its own ("I want to apply, what do I do?"): asks_about has kept questions out
    " do does should next then steps اسوي سوي الخطوات طيب"
).split()) | _ASKED


@dataclass(frozen=True, slots=True)
class RequestIntents:
    #: flow id → its service names as token tuples (normalised)
    names: Mapping[str, tuple[tuple[str, ...], ...]]

    def flow_for(self, variants: list[str], *, question: bool = False, verb_only: bool = False) -> str | None:
        """The flow a message asks to start, or None. With a question mark a wish alone is not
        enough ("ابي اقيم الخدمه، بيعاقبون الموظف؟"); a request verb is ("وين اقدم طلب؟").
        ``verb_only``: only a request verb counts (a wish alone yields to a confident FAQ answer)."""
        best: tuple[int, int, str] | None = None
        for n, v in enumerate(variants):
            toks = v.split()
            if not toks or len(toks) > 30:
                continue
            if toks[0] in _ASKS_ABOUT or phrase_spans(toks, "request_block"):
                continue
            verbs = phrase_spans(toks, "request_verbs")
            wants = phrase_spans(toks, "want_verbs")
            verb, want = bool(verbs), bool(wants)
            wish = verb or (want and not question and not verb_only)
            if not wish:
                continue
            named = self._object_of_wish(toks, verbs + wants, loose=n > 0)
            if named is not None:
                return named
            main = "support_request" in self.names and best is None
            if verb and want and main and _generic_rest(toks, verbs + wants):
                best = (0, -len(self.names), "support_request")  # "I want to apply": the main request
            for order, (flow_id, names) in enumerate(self.names.items()):
                # the Arabic read back from Arabizi ("7alaqat el ta7feeth") is spelled loosely
                hits = sum(1 for name in names if _contains(toks, name, loose=n > 0))
                if hits and (best is None or (hits, -order) > (best[0], best[1])):
                    best = (hits, -order, flow_id)
        return best[2] if best else None

    def _object_of_wish(self, toks: list[str], spans: list[tuple[int, int]], *, loose: bool) -> str | None:
        """The flow the wish itself names: the first word after the wish and its request verb,
        past generic ones ("a", "for", "طلب", "ولدي", "في"), when it starts a service name. It says
        what is asked for whatever else the message mentions: "اختم القران وودي اتطوع عندكم" wishes
        to volunteer, though Ratel's programmes are named by "القران" too ("ابي اسجل ولدي في حلقة
        تحفيظ" names the programme right after its verb, and the counting below stays for a wish
        whose object names nothing)."""
        wish = {i for a, b in spans for i in range(a, b)}
        for _, end in sorted(spans):
            i = end
            while i < len(toks) and (i in wish or toks[i] in _GENERIC_OBJECT):
                i += 1
            for flow_id, names in self.names.items():
                if any(_contains(toks[i : i + len(name)], name, loose=loose) for name in names):
                    return flow_id
        return None

    def named(self, variants: list[str], flow_id: str) -> bool:
        """Whether the message names the service of ``flow_id`` or holds a request verb ("هل اقدر اقدم
        طلب دعم؟" names it; "هل عندكم فرع في جدة؟" names no volunteering)."""
        return any(phrase_spans(v.split(), "request_verbs")
                   or any(_contains(v.split(), name, loose=n > 0) for name in self.names.get(flow_id, ()))
                   for n, v in enumerate(variants))


_CLAUSE = re.compile(r"[,،.!?؟;؛\n]+")


def asks_about(text: str) -> bool:
    """True when the clause that holds a request verb also holds a "what/when/who" (see :data:`_ASKED`)."""
    for clause in _CLAUSE.split(text):
        for v in query_variants(clause):
            toks = v.split()
            if phrase_spans(toks, "request_verbs") and any(t in _ASKED for t in toks):
                return True
    return False


def about_existing_request(variants: list[str]) -> bool:
    """True when the message speaks of a request already filed ("my application", "طلبي",
    "nobody called me", "ما احد كلمني"): its status or an officer answers it, never a new form.
    A request verb beside it ("انرفض طلبي، اقدر اقدم من جديد؟") still asks to apply again."""
    return any(phrase_spans(v.split(), "existing_request") and not phrase_spans(v.split(), "request_verbs")
               for v in variants)


#: "what/which/how much" openers: what there is, what it costs ("هل عندكم مساعدات؟" may well be a
#: wish to apply)
_WHAT = frozenset(normalize("ماذا وش ايش ماهي ماهو شو كم what which").split())


def only_asks(variants: list[str]) -> bool:
    """True when the message opens with "what"/"which" ("what programmes do you have for kids?",
    "وش البرامج اللي عندكم؟") and holds no request verb: it asks what there is, it does not apply."""
    for v in variants:
        toks = v.split()
        if not toks or toks[0] not in _WHAT or phrase_spans(toks, "request_verbs"):
            return False
    return bool(variants)


#: a yes/no question opens with "هل" ("هل عندكم فرع في جدة؟", "هل اقدر اقدم طلب؟"); these ask whether one
#: may ("هل يحق لي تقديم أكثر من طلب؟", "am I eligible for support?") wherever they stand
_YES_NO = frozenset(normalize("هل").split())
_MAY = frozenset(normalize("يحق يحقلي يجوز مسموح eligible entitled allowed permitted").split())
#: "هل يمكنني التطوع؟", "هل اقدر اسجل ولدي؟": "can I…?" is how a courteous wish is put, not a yes/no question
_CAN = frozenset(normalize("يمكنني يمكنى يمكن ممكن اقدر أقدر نقدر استطيع أستطيع نستطيع بامكاني بإمكاني").split())


def asks_yes_no(variants: list[str]) -> bool:
    """True when the message is a yes/no or eligibility question ("هل عندكم…؟", "هل يحق لي…؟",
    "am I eligible…?") and wishes for nothing ("ابي اقدم، هل يحق لي؟" still wants to apply): it asks,
    it does not apply. Its answer, or the nearest topics, serve it better than a form."""
    for v in variants:
        toks = v.split()
        if not toks or phrase_spans(toks, "want_verbs"):
            return False
        if toks[0] not in _YES_NO and not set(toks) & _MAY:
            return False
        if toks[0] in _YES_NO and len(toks) > 1 and toks[1] in _CAN and not set(toks) & _MAY:
            return False
    return bool(variants)


def _generic_rest(toks: list[str], spans: list[tuple[int, int]]) -> bool:
    """True when every word outside the wish and the request verb is generic (:data:`_GENERIC_OBJECT`)."""
    used = {i for a, b in spans for i in range(a, b)}
    return all(tok in _GENERIC_OBJECT for i, tok in enumerate(toks) if i not in used)


def _same_word(a: str, b: str, loose: bool) -> bool:
    """Equal, an English plural ("courses" for "course"), or — ``loose`` — one letter apart when
    both are long enough ("حلقت" for "حلقات", "تحفيث" for "تحفيظ": Arabizi read back into Arabic)."""
    if a == b or (a == b + "s" and b.isascii()):
        return True
    if not loose or min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _contains(toks: list[str], phrase: tuple[str, ...], *, loose: bool = False) -> bool:
    n = len(phrase)
    return any(all(_same_word(t, w, loose) for t, w in zip(toks[i : i + n], phrase, strict=True))
               for i in range(len(toks) - n + 1))


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
