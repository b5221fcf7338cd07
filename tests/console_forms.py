"""The console's forms as its pages fill them, for tests of several modules (test modules never
import each other)."""

from __future__ import annotations

from tests.harness import Harness


def settings_form(h: Harness, **changes: str) -> dict[str, str]:
    """The settings form as the page fills it, with ``changes`` typed in."""
    pack = h.runtime.packs["amass"].pack
    form = {"org": "amass", "version": "0", "action": "settings", "name_ar": pack.name.ar, "name_en": pack.name.en,
            "short_name_ar": pack.short_name.ar, "short_name_en": pack.short_name.en,
            "officer_ar": pack.referral_officer.ar, "officer_en": pack.referral_officer.en,
            "committee_ar": pack.committee.ar if pack.committee else "",
            "committee_en": pack.committee.en if pack.committee else "",
            "decision_min_days": str(pack.decision_min_days or ""),
            "first_response_minutes": str(pack.first_response_minutes), "phone": "", "email": "", "website": "",
            "start": "08:00", "end": "16:00"}
    form.update(changes)
    return form
