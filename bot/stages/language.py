"""Follow the language the beneficiary writes in, unless they chose one."""

from __future__ import annotations

import functools

from bot import faq
from bot.context import TurnContext

#: language detection is a pure function of the text, and texts repeat a lot
_detect_language = functools.lru_cache(maxsize=20_000)(faq.detect_language)


class LanguageStage:
    """Follow the language the beneficiary writes in, unless they chose one explicitly."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.message.button_value is None and not ctx.state.lang_locked:
            detected = _detect_language(ctx.message.text)
            if detected:
                ctx.state.lang = detected
        return False
