"""The template's sections and their items, found in a cleaned policy text.

Every policy in this template has the same headings (preamble, general goal, detailed goals,
channels, the officer's tools, how the beneficiary is handled, board approval), in this
order, after an optional table of contents. A heading is recognised by its words, whatever
its numbering, colon or markdown; a table-of-contents line (page numbers, dot leaders) is not
a heading. Items are lines that start with a list marker; an unmarked line continues the
item above it, unless the section has no markers at all (a .docx list), where each line is
one item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importer.text import fold

__all__ = ["HEADINGS", "Sections", "split_sections"]

#: section key → the folded words that make a line its heading
HEADINGS: dict[str, tuple[str, ...]] = {
    "preamble": ("تمهيد",),
    "goal": ("الهدف العام",),
    "detailed_goals": ("الاهداف التفصيليه",),
    "channels": ("القنوات المستخدمه", "قنوات التواصل"),
    "tools": ("الادوات المتاحه",),
    "procedure": ("التعامل مع",),
    "approval": ("اعتماد مجلس", "تم الاعتماد", "الاعتماد من قبل", "اعتماد السياسه", "الاعتماد"),
}
_TOC = re.compile(r"(^\d+\s)|(\s\d+$)|(\.{3,})|(^جدول المحتويات$)|(^فهرس$)")


@dataclass
class Sections:
    header: list[str] = field(default_factory=list)
    bodies: dict[str, list[str]] = field(default_factory=dict)

    def lines(self, key: str) -> list[str]:
        return self.bodies.get(key, [])

    def paragraph(self, key: str) -> str:
        return " ".join(line.removeprefix("- ").strip() for line in self.lines(key) if line.strip())

    def items(self, key: str) -> list[str]:
        lines = [ln for ln in self.lines(key) if ln.strip()]
        if not any(ln.startswith("- ") for ln in lines):
            return [ln.strip() for ln in lines]
        items: list[str] = []
        for ln in lines:
            if ln.startswith("- ") or not items:
                items.append(ln.removeprefix("- ").strip())
            else:
                items[-1] = f"{items[-1]} {ln.strip()}"
        return [i for i in items if i]


def _heading_key(line: str) -> str | None:
    text = fold(line.removeprefix("- ")).strip(" :-.")
    if not text or _TOC.search(text) or len(text.split()) > 14:
        return None
    for key, words in HEADINGS.items():
        if any(w in text for w in words):
            if key == "procedure" and not re.search(r"(بالشكل|التالي|يتم|اجراءات|خطوات)", text):
                continue
            if key == "approval" and (len(text.split()) > 8 or ("الاعتماد" in text and len(text.split()) > 4
                                                                and not any(w in text for w in words[:4]))):
                continue
            return key
    return None


def split_sections(text: str) -> Sections:
    """Cut the cleaned text at its headings; text before the first heading is the header."""
    out = Sections()
    current: str | None = None
    lines = text.split("\n")
    seen: dict[str, int] = {}
    for line in lines:
        if line.strip() and not line.startswith("- ") and len(line.split()) >= 2:
            seen[line.strip()] = seen.get(line.strip(), 0) + 1
    top = [ln.strip() for ln in lines if ln.strip()][:10]
    # page headers: repeated on every page, and first seen at the top of the document
    running = {ln for ln, n in seen.items() if n >= 2 and ln in top}
    for line in lines:
        if line.strip() in running and (current is not None or line.strip() in out.header):
            continue
        key = _heading_key(line)
        if key is not None and (key not in out.bodies or key == "approval"):
            current = key
            out.bodies.setdefault(key, [])
            continue
        if current is None:
            if line.strip() and not _TOC.search(fold(line.removeprefix("- "))):
                out.header.append(line.strip())
        else:
            out.bodies[current].append(line)
    return out
