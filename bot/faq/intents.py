"""What a message is before it is a FAQ question: a greeting, thanks, "who are you", the menu,
a wish to talk to a person, or "the procedure is not clear to me".

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

__all__ = ["IntentKind", "detect_intent", "strip_greeting"]

IntentKind = Literal["human", "unclear", "greeting", "thanks", "who", "menu"]
Phrase = tuple[str, ...]
_INTERROGATIVES = frozenset(normalize("هل ماذا متى كيف كم اين لماذا what when how where why which do does is can").split())


@dataclass(frozen=True, slots=True)
class _Lists:
    lists: dict[str, tuple[Phrase, ...]]

    def __getitem__(self, key: str) -> tuple[Phrase, ...]:
        return self.lists[key]


@cache
def _lists() -> _Lists:
    raw = yaml.safe_load(Path(__file__).with_name("intents.yaml").read_text(encoding="utf-8"))
    out: dict[str, tuple[Phrase, ...]] = {}
    for key, words in raw.items():
        phrases = {tuple(normalize(str(w)).split()) for w in words}
        out[key] = tuple(sorted((p for p in phrases if p), key=len, reverse=True))
    return _Lists(out)


def _spans(toks: list[str], phrases: tuple[Phrase, ...]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for p in phrases:
        n = len(p)
        for i in range(len(toks) - n + 1):
            if tuple(toks[i : i + n]) == p:
                found.append((i, i + n))
    return found


def _covered(toks: list[str], *keys: str) -> bool:
    """True when every token belongs to a phrase of one of the lists ``keys``."""
    lists = _lists()
    used = [False] * len(toks)
    for key in keys:
        for a, b in _spans(toks, lists[key]):
            for i in range(a, b):
                used[i] = True
    return bool(toks) and all(used)


def _wants_human(toks: list[str]) -> bool:
    lists = _lists()
    strong = _spans(toks, lists["human_nouns"])
    talk = _spans(toks, lists["talk_verbs"])
    if strong and (talk or _spans(toks, lists["want_verbs"])):
        return True
    if _spans(toks, lists["person_words"]) and talk:
        return True
    if strong and len(toks) <= 3 and not (set(toks) & _INTERROGATIVES):
        return True
    return _covered(toks, "human_alone", "want_verbs", "greeting_filler")


def _unclear(toks: list[str]) -> bool:
    lists = _lists()
    if _spans(toks, lists["policy_question"]):
        return False
    negs = _spans(toks, lists["negations"])
    clear = _spans(toks, lists["clarity"])
    unclear = any(0 <= c0 - n1 <= 1 for _, n1 in negs for c0, _ in clear) or bool(_spans(toks, lists["confused"]))
    if not unclear:
        return False
    return bool(_spans(toks, lists["procedure"])) or len(toks) <= 3


def strip_greeting(variant: str) -> str:
    """The message without a leading greeting ("السلام عليكم، كيف اقدم؟" → "كيف اقدم")."""
    toks = variant.split()
    lists = _lists()
    changed = True
    while toks and changed:
        changed = False
        for key in ("greetings", "greeting_filler"):
            for p in lists[key]:
                if tuple(toks[: len(p)]) == p:
                    toks = toks[len(p) :]
                    changed = True
                    break
    return " ".join(toks)


def detect_intent(variants: list[str]) -> IntentKind | None:
    """The first intent any normalised variant of the message shows, in priority order."""
    for v in variants:
        toks = v.split()
        if not toks:
            continue
        if _wants_human(toks):
            return "human"
        if _unclear(toks):
            return "unclear"
    for v in variants:
        toks = v.split()
        if _covered(toks, "who", "greetings", "greeting_filler"):
            if _spans(toks, _lists()["who"]):
                return "who"
        if _covered(toks, "thanks", "thanks_filler", "greetings", "greeting_filler"):
            if _spans(toks, _lists()["thanks"]):
                return "thanks"
        if _covered(toks, "menu", "greetings", "greeting_filler"):
            return "menu" if _spans(toks, _lists()["menu"]) else "greeting"
    return None
