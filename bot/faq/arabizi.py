"""Arabizi (Arabic typed in Latin letters, 3=ع 7=ح 5=خ 2=ء…) to Arabic script.

Many beneficiaries type Gulf Arabic with a Latin keyboard ("abi akalim mowadaf"). The packs'
phrasings are in Arabic script, so we transliterate the question and let the ordinary Arabic
matcher (and its consonant-skeleton channel, which forgives the vowels Arabizi leaves out)
do the rest. A small lexicon fixes the frequent words rules get wrong.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

__all__ = ["DIGIT_LETTERS", "lexicon", "looks_arabizi_token", "transliterate"]

DIGIT_LETTERS = {"2": "ا", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "ق", "9": "ص"}
_DIGRAPHS = {
    "3'": "غ", "7'": "خ", "6'": "ظ", "9'": "ض",
    "sh": "ش", "ch": "ش", "kh": "خ", "gh": "غ", "th": "ث", "dh": "ذ",
    "ou": "و", "oo": "و", "ee": "ي", "ii": "ي", "aa": "ا", "ai": "ي", "ay": "ي", "ei": "ي",
    "ey": "ي", "aw": "و", "ow": "و", "uu": "و",
}  # fmt: skip
_SINGLE = {
    "b": "ب", "t": "ت", "j": "ج", "d": "د", "r": "ر", "z": "ز", "s": "س", "f": "ف", "q": "ق",
    "k": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "y": "ي", "g": "ق", "v": "ف",
    "p": "ب", "c": "ك", "x": "كس", **DIGIT_LETTERS,
}  # fmt: skip
_VOWELS = set("aeiou")
#: English words people drop into Arabizi ("3indkum 7sabat social media?"): kept in Latin letters,
#: where they can still meet the packs' English phrasings, instead of becoming "سوكيل مديه"
ENGLISH_WORDS = frozenset(
    """social media whatsapp whats email e-mail online offline website web site instagram twitter snapchat
    tiktok facebook youtube telegram linkedin google maps location link links app apps application
    program programme programs course courses zoom password account login sms message messages
    group team manager office hotline pdf form forms card bank transfer number phone mobile call
    video support service services update data policy feedback survey rating volunteer volunteering
    member members membership donation donate meeting online appointment booking""".split()
)
#: pronoun suffixes written with a vowel the Arabic spelling does not have ("3indkum" → عندكم)
_SUFFIXES = {"kum": "كم", "kom": "كم", "hum": "هم", "hom": "هم"}
_WORD = re.compile(r"[a-z0-9']+")
_HAS_DIGIT_LETTER = re.compile(r"[a-z]['’]?[235679]|[235679]['’]?[a-z]")


@cache
def lexicon() -> dict[str, str]:
    """Latin form → Arabic word, from arabizi.yaml."""
    raw = yaml.safe_load(Path(__file__).with_name("arabizi.yaml").read_text(encoding="utf-8")) or {}
    out: dict[str, str] = {}
    for arabic, forms in raw.items():
        for form in forms:
            out[str(form).lower()] = str(arabic)
    return out


def looks_arabizi_token(tok: str) -> bool:
    """A Latin word with a digit standing for an Arabic letter ("3ndi", "ab3a", "7aj")."""
    return bool(_HAS_DIGIT_LETTER.search(tok.lower()))


def _rules(word: str) -> str:
    out: list[str] = []
    if len(word) > 4 and word[:2] in ("al", "el", "il") and word[2] not in _VOWELS:
        out.append("ال")
        word = word[2:].lstrip("-")
    tail = ""
    if len(word) > 4 and word[-3:] in _SUFFIXES and word[-4] not in "iou":
        # the linking short a of "3indakum", "lakom" is not written either
        word, tail = word[:-3].rstrip("ae"), _SUFFIXES[word[-3:]]
    i, n = 0, len(word)
    while i < n:
        pair = word[i : i + 2]
        ch = word[i]
        if pair in _DIGRAPHS and not (pair in ("ay", "aw", "ow", "ey") and i + 2 < n and word[i + 2] in _VOWELS):
            out.append(_DIGRAPHS[pair])
            i += 2
            continue
        if ch in _VOWELS:
            if i == 0:
                out.append("ا")
            elif i == n - 1:
                out.append("ه" if ch in "ae" and n > 3 else ("ي" if ch in "ie" else "و" if ch in "ou" else "ا"))
            elif ch in "iou" and _closed(word, i):
                pass  # a short vowel before two consonants is not written ("3indi" → عندي)
            elif ch in "iou":
                out.append("ي" if ch == "i" else "و")
            # a short a/e inside a word is not written in Arabic
            i += 1
            continue
        if ch == word[i - 1 : i] and ch not in _VOWELS:  # doubled consonant = shadda
            i += 1
            continue
        out.append(_SINGLE.get(ch, ""))
        i += 1
    return "".join(out) + tail


def _closed(word: str, i: int) -> bool:
    """The single vowel at ``i`` closes its syllable: two consonants follow (no digraph vowel)."""
    nxt = word[i + 1 : i + 3]
    return (
        len(nxt) == 2
        and word[i - 1] not in _VOWELS
        and all(c not in _VOWELS and c not in "'’wy" for c in nxt)
        and nxt not in _DIGRAPHS
    )


def transliterate(text: str) -> str:
    """Arabic-script rendering of an Arabizi message; non-Latin words pass through."""
    lex = lexicon()
    words: list[str] = []
    article = False
    for raw in text.lower().split():
        tok = raw.strip('.,!?;:()[]"«»')
        if tok in ("al", "el", "il", "al-", "el-"):  # a detached article joins the next word
            article = True
            continue
        if article and tok in ENGLISH_WORDS:  # "el whatsapp": an English word, article or not
            article = False
        if article:
            article = False
            bare, tok = tok, "al" + tok if tok[:1] not in _VOWELS else "al-" + tok
            if tok in lex:
                words.append(lex[tok])
                continue
            if bare in lex:  # "el bayanat": the known word with the article, not letter rules on "albayanat"
                words.append("ال" + lex[bare])
                continue
            if tok.startswith("al-"):
                words.append("ال" + (lex.get(tok[3:]) or _rules(tok[3:])))
                continue
        if tok in lex:
            words.append(lex[tok])
        elif tok in ENGLISH_WORDS:
            words.append(tok)
        elif _WORD.fullmatch(tok) and not tok.isdigit():
            words.append(_rules(tok) or tok)
        else:
            words.append(raw)
    return " ".join(words)
