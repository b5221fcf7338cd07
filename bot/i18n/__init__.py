"""The one text catalog, in two sections: what beneficiaries read (:mod:`bot.i18n.beneficiary`)
and what staff read in the console (:mod:`bot.i18n.staff`). Arabic first, every entry
``{"ar": …, "en": …}``, so translators review one place.
"""

from __future__ import annotations

from typing import Any

from bot.i18n.beneficiary import CATALOG
from bot.i18n.staff import STAFF_TEXTS

__all__ = ["CATALOG", "STAFF_TEXTS", "t", "tr"]


def t(key: str, lang: str, **params: Any) -> str:
    """The beneficiary text ``key`` in ``lang`` (Arabic when unknown), with ``params`` filled in."""
    entry = CATALOG[key]
    text = entry.get(lang) or entry["ar"]
    return text.format(**params) if params else text


def tr(key: str, lang: str) -> str:
    """The staff text ``key`` in ``lang`` (Arabic when unknown); an unknown key as itself."""
    entry = STAFF_TEXTS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["ar"]
