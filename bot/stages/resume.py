"""Back to a form just cancelled: "لا لحظة، ارجع للطلب اللي كنت فيه", "undo", "go back to my form".

People cancel by mistake, or change their mind a message later. The cancelled form's state is
kept (its sensitive answers still sealed, as in the form) for one more turn and at most
:data:`KEEP` minutes, so that the very next message can bring it back at the question it stood
on. Any other message drops it: a cancelled request is not kept. Asked for later, the person is
told the request was cancelled and offered to start it again.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.context import TurnContext
from bot.i18n import t
from bot.stages.forms import CANCELLED, current_question
from bot.types import Button, Choices, Text
from bot.understanding.text import key_of

#: how long a cancelled form can be brought back
KEEP = timedelta(minutes=30)
#: how long the person is told it was cancelled (and offered to start again) when they ask for it
TOLD = timedelta(hours=24)
_KEY = CANCELLED

_RETURN = re.compile(
    r"(?<!\w)(?:ارجع|ارجعني|رجعني|رجعنا|نرجع|رجع|رجعه|رجعوا|ارجعوا|استرجع|رجعولي|رجعلي|back to|go back to|return to|"
    r"restore|bring back|resume|reopen)(?!\w)")
_FORM = re.compile(r"(?<!\w)(?:لل?طلب|الطلب|طلبي|للنموذج|النموذج|الاستماره|للاستماره|form|request|application)(?!\w)")
_UNDO = re.compile(
    r"(?<!\w)(?:تراجع|تراجعت|ما قصدت الغي|ما كنت اقصد الغي|ماقصدت الغي|لا تلغي|لا تلغيه|لا تلغونه|الغ الالغاء|"
    r"undo|i didn t mean to cancel|didn t mean to cancel|don t cancel|cancel the cancel)(?!\w)")


def asks_to_resume(text: str) -> bool:
    """"ارجع للطلب اللي كنت فيه", "تراجعت", "undo", "go back to my form": a wish to have it back."""
    key = key_of(text)
    if not key or len(key.split()) > 12:
        return False
    return bool(_UNDO.search(key) or (_RETURN.search(key) and _FORM.search(key)))


class ResumeCancelledStage:
    """Bring back the form cancelled a message ago, or say it was cancelled and offer it again."""

    async def __call__(self, ctx: TurnContext) -> bool:
        kept = ctx.state.extra.get(_KEY)
        if not isinstance(kept, dict) or ctx.state.flow:
            return False
        at = datetime.fromisoformat(str(kept.get("at")))
        wants = ctx.message.button_value is None and (
            asks_to_resume(ctx.message.text) or ctx.understanding.command == "continue")
        state = kept.pop("state", None)  # one turn only: a cancelled request's answers are not kept
        if ctx.now - at > TOLD:
            ctx.state.extra.pop(_KEY, None)
        if not wants:
            return False
        flow_id = str(kept.get("flow") or "")
        flow = ctx.pack.flows.get(flow_id)
        if flow is None:
            return False
        ctx.state.greeted = True
        if isinstance(state, dict) and ctx.now - at <= KEEP:
            ctx.state.extra.pop(_KEY, None)
            ctx.state.flow = state
            ctx.say(Text(t("flow.restored", ctx.lang, title=flow.title.get(ctx.lang)), kind="flow"),
                    *current_question(ctx))
            return True
        ctx.say(Choices(t("flow.was_cancelled", ctx.lang, title=flow.title.get(ctx.lang)),
                        (Button(t("flow.start_again", ctx.lang), f"flow:{flow_id}"),
                         Button(t("menu.human", ctx.lang), "handoff")), kind="info"))
        return True
