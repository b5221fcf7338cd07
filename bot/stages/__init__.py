"""The routing chain: opt-out → language → safety → numbered choice → survey → human-held → privacy
request → form → back to a form just cancelled → a wish about a request already filed → commands →
small talk → reply to "needs information" → FAQ → flow start → fallback.

Before the chain the engine has read the message once (:mod:`bot.understanding`, on
``ctx.understanding``); safety comes before everything but STOP, so a person in crisis is
answered in any state.

Each stage either handles the turn (returns True) or passes it on. Pre-stages that only adjust
the turn (language, numbered replies) always pass it on. The order is the contract: STOP wins
over everything, a conversation held by an officer never reaches the FAQ, a form in progress
sees the beneficiary's input before any command except the universal ones (cancel, human,
language).
"""

from __future__ import annotations

from bot.context import Stage
from bot.stages.choices import NumberedChoiceStage
from bot.stages.commands import CommandStage
from bot.stages.fallback import FallbackStage
from bot.stages.faq import FaqStage
from bot.stages.filed import FiledRequestStage
from bot.stages.forms import FlowStage, FlowStartStage
from bot.stages.human import HumanHeldStage
from bot.stages.language import LanguageStage
from bot.stages.needs_info import NeedsInfoStage
from bot.stages.optout import OptOutStage
from bot.stages.privacy import PrivacyRequestStage
from bot.stages.resume import ResumeCancelledStage
from bot.stages.safety import SafetyStage
from bot.stages.smalltalk import SmallTalkStage
from bot.stages.survey import SurveyStage


def default_stages() -> list[Stage]:
    return [
        OptOutStage(), LanguageStage(), SafetyStage(), NumberedChoiceStage(), SurveyStage(), HumanHeldStage(),
        PrivacyRequestStage(), FlowStage(), ResumeCancelledStage(), FiledRequestStage(), CommandStage(),
        SmallTalkStage(), NeedsInfoStage(), FaqStage(), FlowStartStage(), FallbackStage(),
    ]
