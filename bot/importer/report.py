"""What an import found, what it could not find, and what an admin should check — in both languages.

The importer never invents a fact, so everything it could not read is either left empty (the
pack says "not stated") or given the template's neutral wording and listed here: the report
is the admin's to-do list before the association goes live.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ImportReport"]


@dataclass
class ImportReport:
    found: list[tuple[str, str, str]] = field(default_factory=list)  # (label ar, label en, value)
    missing: list[tuple[str, str]] = field(default_factory=list)
    checks: list[tuple[str, str]] = field(default_factory=list)

    def add(self, label_ar: str, label_en: str, value: str | None) -> None:
        if value:
            self.found.append((label_ar, label_en, value))
        else:
            self.missing.append((label_ar, label_en))

    def miss(self, ar: str, en: str) -> None:
        self.missing.append((ar, en))

    def check(self, ar: str, en: str) -> None:
        if (ar, en) not in self.checks:
            self.checks.append((ar, en))

    def render(self, target: str) -> str:
        """The printed report: Arabic first, then English."""
        lines = [f"تم إنشاء حزمة الجمعية في: {target}", ""]
        lines.append("ما وجدناه في السياسة:")
        lines += [f"  - {ar}: {value}" for ar, _en, value in self.found]
        lines.append("ما لم نجده (تُرك فارغاً أو بصياغة محايدة، ولم يُخترع):")
        lines += [f"  - {ar}" for ar, _en in self.missing] or ["  - لا شيء"]
        lines.append("ما ينبغي أن يراجعه المسؤول:")
        lines += [f"  - {ar}" for ar, _en in self.checks] or ["  - لا شيء"]
        lines += ["", f"Association pack written to: {target}", "", "Found in the policy:"]
        lines += [f"  - {en}: {value}" for _ar, en, value in self.found]
        lines.append("Not found (left empty or given neutral wording, never invented):")
        lines += [f"  - {en}" for _ar, en in self.missing] or ["  - nothing"]
        lines.append("For the admin to check:")
        lines += [f"  - {en}" for _ar, en in self.checks] or ["  - nothing"]
        return "\n".join(lines) + "\n"
