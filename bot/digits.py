"""The one digit table: Arabic-Indic (٠١٢…) and Persian (۰۱۲…) digits to Western and back.

People type references, IDs, mobiles and ratings in whichever digits their keyboard gives; every
reader of a number folds them here first, and Arabic screens that want Arabic-Indic digits
convert here too.
"""

from __future__ import annotations

TO_WESTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
TO_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def to_western(text: str) -> str:
    """``text`` with Arabic-Indic and Persian digits as Western digits; nothing else changes."""
    return text.translate(TO_WESTERN)


def to_arabic_indic(text: str) -> str:
    return text.translate(TO_ARABIC_INDIC)
