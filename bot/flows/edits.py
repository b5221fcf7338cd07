"""Two things people type about the form itself rather than as a field's value.

* A wish to correct an answer already given, typed at a later question ("ابي اغير رقم جوالي",
  "عذراً، أرغب في تغيير المدينة إلى بريدة", "Sorry, she is a beginner actually. can I change the
  level?", "ta3deel al jawal"). Taken as the value of the field being asked, it was filed as the
  request's details; read as a wish for another service, it offered to drop the form for the
  data-update one. :func:`edit_wish` names the answered field (and the new value, when one follows
  "إلى" / "to") so the runner can ask that field again and then carry on where the form stood.
* A confirmation in words at the summary ("كل شي تمام ارسل", "ارسل الطلب", "all good, send"):
  :func:`confirms_in_words`. Unread, such a message was offered as the new City.

Both read a clause only when every word of it has a part in the reading (a wish, a verb, a field,
politeness): a description that merely mentions a change ("تغيير السكن لأن البيت قديم") or a
negation ("لا ترسل") is never one. Pure functions of the text and the flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.flows.prompts import FIELD_TYPE_WORDS
from bot.flows.schema import FieldDef
from bot.understanding.text import PhraseIndex, covered, key_of

__all__ = ["EditWish", "confirms_in_words", "edit_wish"]

#: words before the verb: apologies, wishes, "can I", softeners ("عذراً أرغب في", "sorry can I")
_LEAD = PhraseIndex((
    "ابي", "ابغى", "ابغا", "ابا", "اريد", "ارغب", "ارغب في", "ودي", "حاب", "حابب", "بغيت", "ممكن", "اقدر",
    "هل اقدر", "هل يمكن", "هل يمكنني", "يمكنني", "ممكن لو سمحت", "لو سمحت", "لو سمحتي", "من فضلك", "فضلا", "عذرا",
    "اسف", "اسفه", "معليش", "المعذره", "عفوا", "طيب", "اوه", "اه", "بس", "يا ليت", "ياليت", "تكفى", "نبي", "نبغى",
    "خلني", "خليني", "كيف", "ابي اروح", "sorry", "oops", "oh", "actually", "wait", "please", "pls", "hi", "hello",
    "can i", "could i", "may i", "can we", "could we", "can you", "could you", "i want to", "i wanna", "wanna",
    "i'd like to", "id like to", "i would like to", "i need to", "need to", "want to", "let me", "how do i",
    "how can i", "is it possible to", "abi", "abgha", "ab8a", "abga", "mumkin", "momkin", "ana",
))
#: change / edit / correct, as a wish ("اغير", "تعديل", "change", "ta3deel")
_VERB = PhraseIndex((
    "اغير", "اعدل", "اصحح", "غير", "غيري", "غيروا", "غيرو", "عدل", "عدلي", "عدلوا", "عدلو", "صحح", "صححي", "صححوا",
    "تغيير", "تعديل", "تصحيح", "نغير", "نعدل", "نصحح", "يتغير", "يتعدل", "تغير", "تعدل", "تصلح", "اصلح", "تبديل",
    "ابدل", "change", "edit", "correct", "fix", "update", "modify", "amend", "ta3deel", "ta3dil", "ta3del",
    "a3adel", "a3dil", "a3del", "3adel", "3adil", "3dl", "taghyeer", "taghyir", "taghier", "aghayer", "aghyer",
    "aghyir", "ghayer", "ghayyer", "ghayir",
), conjunctions=True)
#: between the verb and the field ("change the level", "تعديل في الجوال")
_ARTICLE = frozenset(key_of(w) for w in ("the", "my", "her", "his", "their", "our", "your", "al", "el", "في", "on"))
#: after the field: nothing, politeness, or a connector and the new value ("… إلى بريدة")
_TRAIL = PhraseIndex((
    "لو سمحت", "لو سمحتي", "من فضلك", "فضلا", "الله يعافيك", "الله يخليك", "ممكن", "اذا ممكن", "بليز", "شكرا",
    "please", "pls", "plz", "thanks", "thank you", "again", "if possible", "احسن", "مره ثانيه", "بعد", "لو تكرمت",
))
_TO = re.compile(r"(?:^|\s)(?:إلى|الى|إلي|الي|to|into|for)\s+(.+)$", re.IGNORECASE)
#: a clause ends at punctuation or at "but" ("كل شي تمام بس ابي اغير الجوال")
_CLAUSES = re.compile(r"[.!?؟،,؛;\n]+|\s(?:بس|لكن|ولكن|but)\s", re.IGNORECASE)
#: Latin spellings of what the fields are called (beside :data:`FIELD_TYPE_WORDS`)
_ARABIZI_WORDS: dict[str, tuple[str, ...]] = {
    "phone": ("jawal", "al jawal", "el jawal", "jawali", "raqam al jawal", "ra8m al jawal", "rqm al jawal", "raqmi",
              "ra8mi", "mobile no", "number"),
    "national_id": ("hawiya", "al hawiya", "el hawiya", "hawiyti", "raqam al hawiya", "ra8m al hawiya", "iqama"),
    "name": ("ism", "esm", "al ism", "el esm", "ismi", "esmi", "full name"),
    "city": ("madina", "al madina", "el madina", "almadina", "mdina"),
}
#: a field's words that also name things a description talks about ("ابي اغير السكن" may be the need
#: itself): never read as a wish to change the field in the middle of the form
_TOO_WIDE = frozenset(key_of(w) for w in ("السكن", "التقرير", "الملف", "file", "report", "رقمي"))
#: the longest a clause holding an edit wish is
_MAX_WORDS = 14


@dataclass(frozen=True, slots=True)
class EditWish:
    """The answered field the person wants to change, and what they typed as its new value, if any."""

    field: FieldDef
    value: str | None = None


def _field_words(fdef: FieldDef) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(its own titles, what people call a field of its type), folded."""
    own = {key_of(fdef.title("ar")), key_of(fdef.title("en"))}
    kind = {key_of(w) for w in (*FIELD_TYPE_WORDS.get(fdef.type, ()), *_ARABIZI_WORDS.get(fdef.type, ()))}
    return tuple(w for w in own if w), tuple(w for w in kind - own if w and w not in _TOO_WIDE)


def _named_field(toks: list[str], fields: list[FieldDef]) -> tuple[FieldDef, int] | None:
    """The field named at the start of ``toks`` and how many words name it: the longest name wins, a
    field's own title before a word for its type, then the form's order."""
    best: tuple[int, int, int, FieldDef] | None = None
    for order, f in enumerate(fields):
        own, kind = _field_words(f)
        for rank, words in ((0, own), (1, kind)):
            for w in words:
                n = len(w.split())
                if toks[:n] == w.split() and (best is None or (-n, rank, order) < best[:3]):
                    best = (-n, rank, order, f)
    return (best[3], -best[0]) if best is not None else None


def _clause_wish(clause: str, fields: list[FieldDef]) -> EditWish | None:
    toks = key_of(clause).split()
    if not toks or len(toks) > _MAX_WORDS:
        return None
    verb = next(((a, b) for a, b in _VERB.spans(toks) if covered(toks[:a], _LEAD)), None)
    if verb is None:
        return None
    rest = toks[verb[1]:]
    while rest and rest[0] in _ARTICLE:
        rest = rest[1:]
    named = _named_field(rest, fields)
    if named is None:
        return None
    fdef, used = named
    after = rest[used:]
    if not after or covered(after, _TRAIL):
        return EditWish(fdef)
    value = _TO.search(clause)
    if after[0] in {"الى", "الي", "to", "into", "for"} and value is not None and value.group(1).strip():
        return EditWish(fdef, value.group(1).strip(" .!?؟،,"))
    return None


def edit_wish(fields: list[FieldDef], text: str) -> EditWish | None:
    """A wish to change one of ``fields`` (the caller passes those already answered) in ``text``.

    Every clause is read on its own, so "Sorry, she is a beginner actually. can I change the
    level?" holds one; the clause itself must be nothing but the wish."""
    if not text or not fields or len(text) > 300:
        return None
    for clause in _CLAUSES.split(text):
        found = _clause_wish(clause.strip(), fields) if clause and clause.strip() else None
        if found is not None:
            return found
    return None


# --- "كل شي تمام ارسل": the summary confirmed in words -------------------------------------------

#: asking for the request to go ("ارسل", "قدمه", "send it", "submit")
_SEND = PhraseIndex((
    "ارسل", "ارسله", "ارسلها", "ارسلوه", "ارسلوا", "ارسلو", "ارسلي", "ارسال", "رسل", "رسله", "ابعث", "ابعثه",
    "ارفع", "ارفعه", "ارفعوه", "قدم", "قدمه", "قدموه", "اعتمد", "اعتمده", "اعتمدوه", "ارسال الطلب", "ارسل الطلب",
    "قدم الطلب", "اعتمد الطلب", "send", "send it", "submit", "submit it", "go ahead", "send the request",
    "submit the request", "send my request", "submit my request", "ersel", "ersil", "arsil", "arsel", "irsal",
), conjunctions=True)
#: saying it is all correct ("كل شي تمام", "looks good")
_RIGHT = PhraseIndex((
    "كل شي تمام", "كلشي تمام", "كل شيء تمام", "كله تمام", "كل شي صح", "كل شيء صح", "كله صح", "كل شي مضبوط",
    "كله مضبوط", "كل شي سليم", "البيانات صحيحه", "المعلومات صحيحه", "بياناتي صحيحه", "كلها صحيحه", "كلها صح",
    "all good", "looks good", "all looks good", "everything is correct", "everything's correct", "all correct",
    "everything looks good", "everything is fine", "all fine", "its all good", "it's all good", "all is good",
    "kolo tamam", "kl shi tamam", "kolshi tamam",
))
#: what goes with it: yes, politeness, "now", "the request"
_WITH = PhraseIndex((
    "تمام", "صح", "صحيح", "مضبوط", "سليم", "زين", "ممتاز", "اوكي", "اوك", "طيب", "نعم", "ايوه", "ايه", "اي",
    "خلاص", "يلا", "يالله", "الله يعافيك", "لو سمحت", "لو سمحتي", "الحين", "الطلب", "طلبي", "وشكرا", "شكرا",
    "ok", "okay", "yes", "yeah", "yep", "great", "perfect", "correct", "fine", "good", "please", "pls", "now",
    "thanks", "thank you", "it", "the request", "my request", "and", "then", "so", "tamam", "yalla",
))


def confirms_in_words(text: str) -> bool:
    """At the summary: "send it" or "it is all correct", and nothing else ("كل شي تمام ارسل",
    "تمام ارسل", "ارسل الطلب", "all good, send"). Any other word (a negation, a field, a question)
    leaves it unread."""
    toks = key_of(text).split()
    if not toks or len(toks) > 10:
        return False
    if not (_SEND.found_in(toks) or _RIGHT.found_in(toks)):
        return False
    return covered(toks, _SEND, _RIGHT, _WITH)
