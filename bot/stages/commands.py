"""Menu, cancel, language, "my requests", and the buttons the engine itself puts on screen.

Typed commands come from ``ctx.understanding.command`` (the one list of command words, in
any phrasing: "ابي القائمة لو سمحت", "show me my requests").
"""

from __future__ import annotations

import dataclasses

from bot.context import TurnContext
from bot.i18n import t
from bot.stages.common import greet, main_menu, start_handoff
from bot.stages.forms import media_reply
from bot.stages.status import list_mine, start_inquiry
from bot.types import Button, Choices, Text


class CommandStage:
    """Menu, cancel, language and the buttons the engine itself puts on screen."""

    async def __call__(self, ctx: TurnContext) -> bool:
        value = ctx.message.button_value
        command = ctx.understanding.command if value is None else None
        if (value is not None and value.startswith("lang:")) or command in {"lang_en", "lang_ar"}:
            lang = value.split(":", 1)[1] if value and value.startswith("lang:") else str(command)[5:]
            ctx.state.lang = "en" if lang == "en" else "ar"
            ctx.state.lang_locked = True
            ctx.say(Text(t("lang.switched", ctx.lang), kind="menu"), main_menu(ctx))
            return True
        if value in {"flow:resume", "flow:restart", "flow:leave"}:  # a form that has since ended
            ctx.say(main_menu(ctx))
            return True
        if ctx.message.attachments and not ctx.message.text and not ctx.state.flow:
            ctx.state.greeted = True
            media_reply(ctx)
            return True
        if value == "menu" or command in {"menu", "restart", "continue"}:  # nothing in progress to continue
            greet(ctx) if not ctx.state.greeted else ctx.say(main_menu(ctx))
            return True
        if command == "cancel":
            ctx.say(Text(t("nothing_to_cancel", ctx.lang), kind="menu"), main_menu(ctx))
            return True
        if command == "my_requests" or value == "status:mine":  # the inquiry's button, tapped after it was left
            ctx.state.greeted = True
            if ctx.services is None or ctx.services.cases is None:
                return await start_inquiry(ctx)  # says the inquiry is not available here
            await list_mine(ctx)
            return True
        if command == "status" or (value is None and ctx.understanding.reference):
            ctx.state.greeted = True
            return await start_inquiry(ctx)
        if command == "human":
            start_handoff(ctx, "requested")
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
