"""What a message is before it is a FAQ question: a greeting, thanks, "who are you", the menu,
a wish to talk to a person, "the procedure is not clear to me", or "I don't know".

The policy says an unclear procedure is referred to a named officer, and beneficiaries ask
for a person in many ways ("ابي اكلم موظف", "وصلني بموظف", "human please", "abi mowadaf"):
those must never be answered with the nearest FAQ topic. Word lists live in intents.yaml
and are normalised with the same :func:`normalize` as the questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

from bot.faq.normalize import normalize

__all__ = ["IntentKind", "detect_intent", "opens_indirectly", "phrase_spans", "strip_greeting", "thanks_only"]

IntentKind = Literal["human", "unclear", "greeting", "thanks", "who", "menu", "unsure", "ack"]
Phrase = tuple[str, ...]
_INTERROGATIVES = frozenset(
    normalize("هل ماذا متى كيف كم اين لماذا what when how where why which do does is can").split()
)


@dataclass(frozen=True, slots=True)
class _Lists:
    lists: dict[str, tuple[Phrase, ...]]
    #: list name → first token → phrases starting with it (longest first)
    by_first: dict[str, dict[str, tuple[Phrase, ...]]]

    def __getitem__(self, key: str) -> tuple[Phrase, ...]:
        return self.lists[key]


@cache
def _lists() -> _Lists:
    raw = yaml.safe_load(Path(__file__).with_name("intents.yaml").read_text(encoding="utf-8"))
    out: dict[str, tuple[Phrase, ...]] = {}
    for key, words in raw.items():
        phrases = {tuple(normalize(str(w)).split()) for w in words}
        out[key] = tuple(sorted((p for p in phrases if p), key=len, reverse=True))
    first: dict[str, dict[str, tuple[Phrase, ...]]] = {}
    for key, plist in out.items():
        grouped: dict[str, list[Phrase]] = {}
        for p in plist:
            grouped.setdefault(p[0], []).append(p)
        first[key] = {k: tuple(v) for k, v in grouped.items()}
    return _Lists(out, first)


def _spans(toks: list[str], key: str) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of a phrase of list ``key`` in ``toks``."""
    index = _lists().by_first[key]
    found: list[tuple[int, int]] = []
    for i, tok in enumerate(toks):
        for p in index.get(tok, ()):
            if tuple(toks[i : i + len(p)]) == p:
                found.append((i, i + len(p)))
    return found


def phrase_spans(toks: list[str], key: str) -> list[tuple[int, int]]:
    """Where phrases of the word list ``key`` (intents.yaml) occur in the normalised tokens."""
    return _spans(toks, key)


def _covered(toks: list[str], *keys: str) -> bool:
    """True when every token belongs to a phrase of one of the lists ``keys``."""
    used = [False] * len(toks)
    for key in keys:
        for a, b in _spans(toks, key):
            for i in range(a, b):
                used[i] = True
    return bool(toks) and all(used)


def _wants_human(toks: list[str], question: bool = False) -> bool:
    """A wish for a person. A question that merely mentions one ("تقييمي بيضر الموظف؟", "ابي اقيم
    الخدمه، بيعاقبون الموظف؟") is not: with a question mark, only a verb of talking counts."""
    strong = _spans(toks, "human_nouns")
    others = {a for a, _ in _spans(toks, "third_party")}
    talk = [(a, b) for a, b in _spans(toks, "talk_verbs") if b not in others]
    # "I want…" wishes for the person it comes before; after the noun it is the person's doing
    # ("will the staff give me enough time?")
    wish = any(w < n for w, _ in _spans(toks, "want_verbs") for n, _ in strong) or (
        len(toks) <= 4 and bool(_spans(toks, "want_verbs")))
    # "ابي اقيم الموظف" wishes to rate the employee, not to talk to one
    rates = bool(_spans(toks, "rating_words"))
    if strong and (talk or (wish and not question and not rates)):
        return True
    if _spans(toks, "person_words") and talk:
        return True
    if strong and len(toks) <= 3 and not question and not rates and not (set(toks) & _INTERROGATIVES):
        return True
    return _covered(toks, "human_alone", "want_verbs", "greeting_filler")


def _unclear(toks: list[str]) -> bool:
    if _spans(toks, "policy_question"):
        return False
    negs = _spans(toks, "negations")
    clear = _spans(toks, "clarity")
    unclear = any(0 <= c0 - n1 <= 1 for _, n1 in negs for c0, _ in clear) or bool(_spans(toks, "confused"))
    if not unclear:
        return False
    return bool(_spans(toks, "procedure")) or len(toks) <= 3


#: at most this many words of a reason after "thanks for" ("على حسن التعامل والاستقبال")
_REASON_WORDS = 6
#: lists whose words in the reason make it more than thanks: a question, a wish, a "but"
_NOT_A_REASON = ("want_verbs", "request_verbs", "human_nouns", "talk_verbs", "thanks_but", "unsure")


def thanks_only(variant: str, *, question: bool = False) -> bool:
    """Thanks and nothing else: thanks words with politeness ("شكرا جزيلا", "مشكور ما قصرت"), or
    thanks for something ("شكراً لكم على حسن التعامل", "thank you for your help"), where what follows
    "على"/"for" is a short reason that asks and wants nothing ("شكرا على مساعدتكم لامي، ودي اقيم الخدمة"
    wishes to rate the service; "شكرا على الرد، متى يوصل الدعم؟" asks)."""
    toks = variant.split()
    if not _spans(toks, "thanks"):
        return False
    polite = ("thanks", "thanks_filler", "greetings", "greeting_filler")
    if _covered(toks, *polite):
        return True
    if question:
        return False
    used = [False] * len(toks)
    for key in polite:
        for a, b in _spans(toks, key):
            used[a:b] = [True] * (b - a)
    for_at = {a for a, _ in _spans(toks, "thanks_for")}
    j = next((j for j in range(1, len(toks)) if j in for_at and not used[j] and all(used[:j])), None)
    if j is None:
        return False
    reason = toks[j + 1 :]
    if sum(not u for u in used[j + 1 :]) > _REASON_WORDS or set(reason) & _INTERROGATIVES:
        return False
    return not any(_spans(reason, key) for key in _NOT_A_REASON)


def _unsure(toks: list[str]) -> bool:
    """ "ما ادري", "مدري", "I don't know" on its own (with "والله", "وش اسوي" and the like)."""
    return bool(_spans(toks, "unsure")) and _covered(toks, "unsure", "unsure_filler", "greetings", "greeting_filler")


def strip_greeting(variant: str) -> str:
    """The message without a leading greeting or an indirect opening ("السلام عليكم، كيف اقدم؟" →
    "كيف اقدم"; "I was wondering whether my request…" → "my request…")."""
    toks = variant.split()
    lists = _lists()
    changed = True
    while toks and changed:
        changed = False
        for key in ("greetings", "greeting_filler", "lead_ins"):
            for p in lists[key]:
                if tuple(toks[: len(p)]) == p:
                    toks = toks[len(p) :]
                    changed = True
                    break
    return " ".join(toks)


def opens_indirectly(variant: str) -> bool:
    """Whether the message, past any greeting, opens with an indirect question ("I was wondering
    whether…", "أرجو إفادتي بـ…"): it asks *about* something, even when a request verb follows
    ("أرجو إفادتي بالهدف العام في تقديم الخدمات" is no application)."""
    toks = variant.split()
    lists = _lists()
    while toks:
        for key in ("greetings", "greeting_filler"):
            p = next((p for p in lists[key] if tuple(toks[: len(p)]) == p), None)
            if p:
                toks = toks[len(p) :]
                break
        else:
            break
    return any(tuple(toks[: len(p)]) == p for p in lists["lead_ins"])


def detect_intent(variants: list[str], *, question: bool = False) -> IntentKind | None:
    """The first intent any normalised variant of the message shows, in priority order
    (``question``: the message carries a question mark)."""
    for v in variants:
        toks = v.split()
        if not toks:
            continue
        # the "I would like" of an indirect opening ("أود معرفة الأدوات المتاحة لموظف…") wishes for
        # an answer, not for the person the question is about
        lead = strip_greeting(v).split() if opens_indirectly(v) else toks
        if _wants_human(lead or toks, question):
            return "human"
        if _unclear(toks):
            return "unclear"
    for v in variants:
        toks = v.split()
        if _covered(toks, "who", "greetings", "greeting_filler"):
            if _spans(toks, "who"):
                return "who"
        if thanks_only(v, question=question):
            return "thanks"
        if _covered(toks, "menu", "greetings", "greeting_filler"):
            return "menu" if _spans(toks, "menu") else "greeting"
        if _unsure(toks):
            return "unsure"
        if _covered(toks, "bare_replies", "greeting_filler"):
            return "ack"
    return None
