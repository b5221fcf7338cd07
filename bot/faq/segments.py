"""The parts of a long message that may carry its question on their own.

People write to a charity the way they would talk to its desk: who they are and what happened
first, the question last ("السلام عليكم انا ولد الحاج عبدالله عمره سبعين وتعبان … كيف اسجله
عندكم"), often dictated with no punctuation at all. Matched whole, the story outweighs the
question and the matcher refuses. So a long message is also asked piece by piece: each sentence
(split at punctuation and new lines), and, for run-on text, what follows each question word
("كيف اسجله عندكم"). :func:`bot.faq.decide.decide_traced` asks these only when the whole message
was not answered, and takes a piece only when it alone is answered with full confidence, so a
story with no question in it is still refused.
"""

from __future__ import annotations

import re

from bot.faq.normalize import normalize

__all__ = ["LONG_TOKENS", "questions", "segments"]

#: a message shorter than this (in words) is one question; its pieces would only be fragments
LONG_TOKENS = 9
#: a piece shorter than this says too little to be answered by itself ("ولا عندكم رقم" is 3)
MIN_PIECE_TOKENS = 3
#: at most this many pieces are asked (the last ones: the question tends to close the message)
MAX_PIECES = 4
_SENTENCE = re.compile(r"[.!?؟;؛\n،,]+")
#: words that open a question, normalised as questions are; a run-on message is cut before each
_OPENERS = frozenset(
    normalize(
        """هل ماذا متى كيف كم اين وين فين لماذا ليش وش ايش شو مين ممكن اقدر ابي ابغى ابغا ودي
        what when how where why which who can could do does is are will would should"""
    ).split()
)


def segments(text: str) -> list[str]:
    """Pieces of ``text`` worth asking alone (normalised, without the whole message), latest last;
    empty for a message of fewer than :data:`LONG_TOKENS` words."""
    whole = normalize(text)
    if len(whole.split()) < LONG_TOKENS:
        return []
    pieces: list[str] = []
    for sentence in _SENTENCE.split(text):
        toks = normalize(sentence).split()
        if len(toks) >= MIN_PIECE_TOKENS:
            pieces.append(" ".join(toks))
        # run-on speech: from each question word after the first words to the sentence's end
        for i in range(1, len(toks) - MIN_PIECE_TOKENS + 1):
            if toks[i] in _OPENERS and toks[i - 1] not in _OPENERS:
                pieces.append(" ".join(toks[i:]))
    seen = {whole}
    out: list[str] = []
    for p in pieces:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out[-MAX_PIECES:]


_QUESTION_END = re.compile(r"[?؟]+")


def _opens_question(tok: str) -> bool:
    return normalize(tok) in _OPENERS


def questions(text: str) -> list[str]:
    """The separate questions of a message that asks several, as typed ("وش اوقات الدوام عندكم؟
    وكيف اسجل متطوع؟" → two; "what are your hours and how do I volunteer?" → two): split at
    question marks, and before "و"/"and" joined to a question word. Fewer than two → []."""
    out: list[str] = []
    for chunk in _QUESTION_END.split(text):
        words = chunk.split()
        start = 0
        for i in range(1, len(words)):
            glued = len(words[i]) > 2 and words[i][0] == "و" and _opens_question(words[i][1:])
            spaced = words[i].lower() in {"و", "and"} and i + 1 < len(words) and _opens_question(words[i + 1])
            if (glued or spaced) and i - start >= 2:
                out.append(" ".join(words[start:i]))
                start = i
        out.append(" ".join(words[start:]))
    out = [p.strip(" ,،.") for p in out if len(normalize(p).split()) >= 2]
    return out if len(out) >= 2 else []
