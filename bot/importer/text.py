"""Cleaning a policy's extracted text before anything reads facts from it.

Policies reach us through PDF converters that were built for left-to-right text. What comes
out of an Arabic PDF is typically: presentation-form letters (ﻋﻠﻢ instead of علم), tatweel
used for justification, bidi controls, a justified line's words in reverse order, a word's
last letters glued to the front of the next chunk ("ينمع المستفيد" for "مع المستفيدين"), a
word split by a stray space ("مختل ف"), and bullets or full stops on the wrong end of a
line. Each repair below is small and only applied where it turns unknown words into words
the document (or the template all these policies share) uses elsewhere, so a clean policy
goes through unchanged.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

__all__ = ["Lexicon", "clean_text", "fold", "strip_marks"]

_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_FORMAT = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_WORD = re.compile(r"[\u0621-\u064a]+")
#: letters a PDF converter most often tears off a word's end and glues to the next chunk
_TORN_SUFFIXES = ("ين", "ات", "ون", "ها", "هم", "ه", "ة", "ي")
#: bullets and list markers, on either end of a line (right-to-left text comes out mirrored)
BULLET = r"(?:[-•▪●◦○■□▫*–—]|\d{1,2}\s*[-.)]|[٠-٩]{1,2}\s*[-.)])"
_LEAD_STOP = re.compile(r"^([.:]+)\s*(.*)$")
_LEAD_COMMA = re.compile(r"^([،,؛;]+)\s*(.*)$")


def strip_marks(text: str) -> str:
    """NFKC (presentation forms → letters), no tatweel, diacritics or bidi controls."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace(_TATWEEL, "")
    text = _DIACRITICS.sub("", text)
    return _FORMAT.sub("", text)


def fold(text: str) -> str:
    """A comparison key: marks out, hamza/alef/yaa/taa marbuta folded, Western digits, lower case."""
    text = strip_marks(text).translate(_EASTERN_DIGITS).translate(_FOLD).lower()
    text = text.replace("مسئول", "مسؤول").replace("مسوول", "مسؤول")
    return re.sub(r"\s+", " ", text).strip()


@cache
def _reference_text() -> str:
    return (Path(__file__).with_name("template_reference.txt")).read_text(encoding="utf-8")


class Lexicon:
    """The words (and word pairs) this document and the shared template use.

    A token is "known" when the template has it or the document uses it at least twice;
    repairs only ever produce known words, so they cannot invent vocabulary.
    """

    def __init__(self, document: str) -> None:
        reference = fold(_reference_text())
        doc_words = _WORD.findall(fold(document))
        counts = Counter(doc_words)
        self.words = set(_WORD.findall(reference)) | {w for w, n in counts.items() if n >= 2}
        self.pairs: Counter[tuple[str, str]] = Counter()
        for sentence in re.split(r"[.:؛\n]", reference):
            words = _WORD.findall(sentence)
            self.pairs.update(itertools.pairwise(words))

    def known(self, token: str) -> bool:
        key = fold(token).strip(".،,:؛;()")
        return len(key) > 1 and key in self.words

    def pair_score(self, words: list[str]) -> int:
        keys = [k for k in (fold(w).strip(".،,:؛;()") for w in words) if k]
        return sum(self.pairs[(a, b)] > 0 for a, b in itertools.pairwise(keys))


def _split_torn(token: str, lex: Lexicon) -> tuple[str, str] | None:
    """'ينمع' → ('ين', 'مع'); 'الخدمةالتأكد' → ('الخدمة', 'التأكد'); None if not torn."""
    if lex.known(token) or not _WORD.fullmatch(token):
        return None
    for cut in range(1, len(token) - 1):
        head, rest = token[:cut], token[cut:]
        if not lex.known(rest):
            continue
        if head in _TORN_SUFFIXES or (len(head) >= 3 and lex.known(head)):
            return head, rest
    return None


def _glue_end(words: list[str], piece: str) -> list[str]:
    """Put a torn-off ending back on the chunk's last word, before its punctuation."""
    trail = re.match(r"^(.*?)([.،,:؛;]*)$", words[-1])
    assert trail is not None
    return [*words[:-1], trail.group(1) + piece + trail.group(2)]


def _merge_split_words(tokens: list[str], lex: Lexicon) -> list[str]:
    """'مختل ف' → 'مختلف', 'المو افق' → 'الموافق': only when the join is a known word."""
    out: list[str] = []
    for tok in tokens:
        if out and _WORD.fullmatch(tok) and _WORD.fullmatch(out[-1]):
            joined = out[-1] + tok
            if lex.known(joined) and (not lex.known(tok) or not lex.known(out[-1])):
                out[-1] = joined
                continue
        out.append(tok)
    return out


def _chunks(tokens: list[str], lex: Lexicon) -> list[list[str]]:
    """Split a run of words where the converter glued two chunks together.

    Two artefacts: a short ending torn off a chunk's last word and put in front of the
    chunk ('ينمع المستفيد' → 'مع المستفيدين'), and two chunks written without the space
    between them ('الخارجينشر' → 'الخارجي' | 'نشر'), each chunk being in reading order.
    """
    chunks: list[list[str]] = [[]]
    pending: str | None = None
    for tok in tokens:
        torn = _split_torn(tok, lex)
        if torn is None:
            chunks[-1].append(tok)
            continue
        head, rest = torn
        if head in _TORN_SUFFIXES:
            if pending is not None and chunks[-1]:
                chunks[-1] = _glue_end(chunks[-1], pending)
            if chunks[-1]:
                chunks.append([])
            pending = head
            chunks[-1].append(rest)
        else:
            chunks[-1].append(head)
            chunks.append([rest])
    if pending is not None and chunks[-1]:
        chunks[-1] = _glue_end(chunks[-1], pending)
    return [c for c in chunks if c]


def _strip_bullet_ends(segment: str) -> tuple[str, bool]:
    """A bullet on either end of a chunk; returns the chunk without it and whether there was one."""
    m = re.match(rf"^\s*{BULLET}\s+(.*)$", segment)
    if m and not re.match(r"^\s*\d{1,2}\s*[-.)]\s*\d", segment):
        return m.group(1).strip(), True
    m = re.match(r"^(.*?)\s+(?:[-•▪●◦○■□▫*–—])\s*$", segment)
    if m:
        return m.group(1).strip(), True
    if segment.strip() in {"-", "•", "▪", "●", "*", "–"}:
        return "", True
    return segment.strip(), False


def _at_stops(chunk: list[str]) -> list[list[str]]:
    """A full stop inside a chunk may be where two mirrored chunks meet ('الجمعية. تصحيح …')."""
    parts: list[list[str]] = [[]]
    for i, word in enumerate(chunk):
        parts[-1].append(word)
        if word.endswith(".") and i < len(chunk) - 1:
            parts.append([])
    return [p for p in parts if p]


def _repair_line(line: str, lex: Lexicon) -> str:
    """One line: chunks in reading order, torn words mended, bullets to the front.

    Only a line that shows a converter's marks (a wide gap inside it, a bullet at its end, a
    full stop at its start) is taken apart and reordered: a clean line's words are never moved.
    """
    stripped = line.strip()
    damaged = bool(re.search(r"\S(?:\s{2,}|\t)\S", stripped) or re.search(r"\s[-•▪●*]\s*$", stripped)
                   or stripped[:1] in {".", "،", ":"})
    bullet = False
    text, had = _strip_bullet_ends(stripped)
    bullet = bullet or had
    m = _LEAD_STOP.match(text)
    if m and m.group(2):
        text = m.group(2) + m.group(1)
    raw_segments = [s for s in re.split(r"\s{2,}|\t", text) if s.strip()]
    segments: list[list[str]] = []
    for seg in raw_segments:
        seg, had = _strip_bullet_ends(seg)
        bullet = bullet or had
        m = _LEAD_COMMA.match(seg)
        if m and m.group(2):
            seg = m.group(2) + m.group(1)
        words = _merge_split_words(seg.split(), lex)
        if not damaged:
            segments.append(words)
            continue
        for chunk in _chunks(words, lex):
            segments.extend(_at_stops(chunk))
    if not segments:
        return ""
    forward = [w for s in segments for w in s]
    backward = [w for s in reversed(segments) for w in s]
    if len(segments) > 1 and lex.pair_score(backward) > lex.pair_score(forward):
        stop = any(s[-1].endswith(".") for s in segments)
        words = [w.rstrip(".") if i < len(backward) - 1 else w for i, w in enumerate(backward)]
        if stop and not words[-1].endswith("."):
            words[-1] += "."
    else:
        words = forward
    out = " ".join(words)
    out = re.sub(r"\s+([.،,:؛;])", r"\1", out)
    return ("- " if bullet else "") + out


def clean_text(raw: str) -> str:
    """The policy's text with extraction noise repaired, one logical line per line.

    Markdown emphasis and heading marks go (they carry no facts); a line that was only a
    bullet is dropped; list markers are normalised to a leading "- " so the extractor can
    tell items from continuation lines whatever end of the line the converter put them on.
    """
    text = strip_marks(raw).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\*\*|__", "", text)
    lex = Lexicon(text)
    out: list[str] = []
    for line in text.split("\n"):
        line = re.sub(r"^\s*#{1,6}\s*", "", line)
        if not line.strip():
            out.append("")
            continue
        out.append(_repair_line(line, lex))
    return "\n".join(out)
