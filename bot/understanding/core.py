"""The typed reading of one message, computed once per turn before routing.

Run by the engine on every message in every state (first message, mid-form, waiting for an
officer, in a survey, in a status inquiry) and put on the turn as ``ctx.understanding``, so
every stage reads the same facts instead of keeping its own word lists: safety flags (crisis,
distress, medical advice, abuse, complaint), entities (references, national IDs, mobiles),
the command the message is, its small talk, and its language with how clear that is.

Pure functions of the text, no I/O; fast enough to run on every turn (`make bench`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from bot.faq.arabizi import transliterate
from bot.understanding import entities, language, safety, smalltalk
from bot.understanding.commands import Command, command_of_key
from bot.understanding.entities import Entities
from bot.understanding.language import MessageLanguage
from bot.understanding.safety import Flag
from bot.understanding.smalltalk import SmallTalk
from bot.understanding.text import key_of

__all__ = ["EMPTY", "Command", "Flag", "SmallTalk", "Understanding", "understand"]

_QUESTION_WORDS = frozenset(key_of(
    "كيف متى وش ايش شو هل ماذا ماهي ماهو كم وين اين أين ليش لماذا مين من وشلون شلون ليه "
    "how what when where why who which can could does do is are will"
).split())


@dataclass(frozen=True, slots=True)
class Understanding:
    text: str = ""
    #: the folded matching key (:func:`bot.understanding.text.key_of`)
    key: str = ""
    flags: frozenset[Flag] = frozenset()
    entities: Entities = field(default_factory=Entities)
    command: Command | None = None
    smalltalk: SmallTalk | None = None
    #: the message opens with "السلام عليكم": the reply returns it
    salam: bool = False
    language: MessageLanguage = language.NONE
    #: reads as a question (question mark or interrogative first word)
    question: bool = False

    @property
    def crisis(self) -> bool:
        return "crisis" in self.flags

    @property
    def reference(self) -> str | None:
        return self.entities.references[0] if self.entities.references else None

    @property
    def words(self) -> int:
        return len(self.key.split())


EMPTY = Understanding()


def understand(text: str) -> Understanding:
    """What ``text`` is (see the module docstring); never raises on any ``str``.

    Short messages repeat a lot ("نعم", "شكرا", menu words) and are remembered; long ones are not
    worth the memory."""
    if not text:
        return EMPTY
    return _understand_short(text) if len(text) <= 200 else _understand(text)


@lru_cache(maxsize=8192)
def _understand_short(text: str) -> Understanding:
    return _understand(text)


def _understand(text: str) -> Understanding:
    key = key_of(text)
    words = key.split()
    lang = language.language_of(text)
    arabizi = lang.lang == "ar" and any("a" <= ch <= "z" for ch in key)
    arabic = key_of(transliterate(text)) if arabizi else ""  # Arabizi: read its Arabic rendering too
    flags = safety.flags(key, text, also=arabic)
    command = command_of_key(key)
    if arabizi:
        flags |= safety.flags(arabic) - {"complaint", "complaint_question"}  # both renderings weighed above
        command = command or command_of_key(arabic)
    return Understanding(
        text=text,
        key=key,
        flags=flags,
        entities=entities.find(text),
        command=command,
        smalltalk=smalltalk.kind(key, text),
        salam=smalltalk.opens_with_salam(key),
        language=lang,
        question="?" in text or "؟" in text or bool(words and words[0] in _QUESTION_WORDS),
    )
