"""Menu, cancel, language and the buttons the engine itself puts on screen."""

from __future__ import annotations

import dataclasses

from bot.context import TurnContext
from bot.i18n import t
from bot.stages.common import CANCEL_WORDS, LANG_WORDS, MENU_WORDS, greet, main_menu, simple, start_handoff
from bot.types import Button, Choices, Text


class CommandStage:
    """Menu, cancel, language and the buttons the engine itself puts on screen."""

    async def __call__(self, ctx: TurnContext) -> bool:
        value = ctx.message.button_value
        word = simple(ctx.input)
        if (value is not None and value.startswith("lang:")) or word in LANG_WORDS:
            lang = value.split(":", 1)[1] if value and value.startswith("lang:") else LANG_WORDS[word]
            ctx.state.lang = "en" if lang == "en" else "ar"
            ctx.state.lang_locked = True
            ctx.say(Text(t("lang.switched", ctx.lang), kind="menu"), main_menu(ctx))
            return True
        if value == "menu" or word in MENU_WORDS:
            greet(ctx) if not ctx.state.greeted else ctx.say(main_menu(ctx))
            return True
        if word in CANCEL_WORDS:
            ctx.say(Text(t("nothing_to_cancel", ctx.lang), kind="menu"), main_menu(ctx))
            return True
        if value in {"handoff", "handoff:yes"}:
            start_handoff(ctx, "requested")
            return True
        if value == "handoff:no":
            ctx.state.misses = 0
            ctx.say(Text(t("handoff.declined", ctx.lang), kind="menu"), main_menu(ctx))
            return True
        if value == "faq":
            ctx.say(Text(t("faq.prompt", ctx.lang), kind="menu"))
            return True
        if value == "members":
            services = ctx.pack.pack.member_services
            ctx.say(Choices(t("menu.member_services", ctx.lang),
                            tuple(Button(s.title.get(ctx.lang), f"member:{s.id}") for s in services), kind="menu"))
            return True
        if value and value.startswith("member:"):
            for s in ctx.pack.pack.member_services:
                if s.id == value.split(":", 1)[1]:
                    ctx.say(Text(s.body.get(ctx.lang), kind="answer"))
                    return True
        if value and value.startswith("faq:"):
            topic_id = value.split(":", 1)[1]
            for topic in ctx.pack.faq.topics:
                if topic.id == topic_id:
                    ctx.state.misses = 0
                    if topic.action and topic.action.startswith("flow:"):
                        ctx.message = dataclasses.replace(ctx.message, button_value=topic.action)
                        return False
                    ctx.say(Text(topic.answer.get(ctx.lang), kind="answer"))
                    return True
        return False
