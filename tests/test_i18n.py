"""The one beneficiary-facing catalog (general texts plus the flows' section): every entry is
``{"ar", "en"}`` with both texts written, the same ``{placeholders}`` in both, and one key per text."""

from __future__ import annotations

import string

import pytest

from bot.flows.messages import reason_text
from bot.i18n import CATALOG, t


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_flows_texts_are_in_the_catalog_under_their_prefix() -> None:
    assert t("flow.yes", "ar") == "نعم" and t("flow.yes", "en") == "Yes"
    assert reason_text("nid_checksum", {}, "en") == CATALOG["flow.nid_checksum"]["en"]
    # the general "cancelled" and the flows' one are two texts, both reachable
    assert t("cancelled", "en") != t("flow.cancelled", "en")


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_entry_is_written_in_arabic_and_english_with_the_same_placeholders(key: str) -> None:
    entry = CATALOG[key]
    assert set(entry) == {"ar", "en"}
    assert entry["ar"].strip() and entry["en"].strip()
    names = placeholders(entry["ar"])
    assert placeholders(entry["en"]) == names
    params = {name: "X" for name in names}
    assert t(key, "ar", **params) and t(key, "en", **params)


def test_unknown_language_falls_back_to_arabic() -> None:
    assert t("flow.required", "fr") == CATALOG["flow.required"]["ar"]
    assert t("menu.faq", "fr") == CATALOG["menu.faq"]["ar"]
