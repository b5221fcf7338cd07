"""The request forms' sentences are the ``flow.…`` section of :data:`bot.i18n.CATALOG`.

Validators return a reason key plus parameters, never a sentence, which keeps them pure and
language-free; reason ``"nid_checksum"`` is the text ``"flow.nid_checksum"``.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import t

SECTION = "flow"


def reason_text(reason_key: str, params: dict[str, Any], lang: str) -> str:
    """Turn a validator's :class:`Invalid` into the sentence shown to the beneficiary."""
    return t(f"{SECTION}.{reason_key}", lang, **params)
