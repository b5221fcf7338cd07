"""What a routing stage sees and changes during one turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.packs import LoadedPack
from bot.ports import Services
from bot.records import SurveyAnswer
from bot.render import Capabilities
from bot.state import DialogState
from bot.types import InboundMessage, Reply
from bot.understanding.core import EMPTY, Understanding


@dataclass(slots=True)
class TurnContext:
    message: InboundMessage
    pack: LoadedPack
    state: DialogState
    status: str
    caps: Capabilities
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    #: side effects for the engine to carry out after routing (e.g. create a case)
    effects: list[Any] = field(default_factory=list)
    #: events for staff consoles (hand-off requested …), published after commit
    events: list[dict[str, Any]] = field(default_factory=list)
    conversation_id: str = ""
    beneficiary_id: str = ""
    services: Services | None = None
    #: the FAQ decision, if the FAQ stage ran
    decision: Any = None
    #: what the transcript keeps of the inbound message instead of its words, when they must not
    #: be stored (an answer to a national-ID question keeps only its last digits); None: as sent
    stored_text: str | None = None
    #: satisfaction answers this turn took, written in the turn's own transaction
    survey_answers: list[SurveyAnswer] = field(default_factory=list)
    #: what the message is (safety, entities, command, small talk, language), computed once by
    #: the engine before routing so every stage reads the same facts
    understanding: Understanding = EMPTY

    @property
    def lang(self) -> str:
        return self.state.lang

    @property
    def input(self) -> str:
        return self.message.input

    def say(self, *replies: Reply) -> None:
        self.replies.extend(replies)


class Stage(Protocol):
    """One link of the routing chain: handle the turn (return True) or pass it on."""

    async def __call__(self, ctx: TurnContext) -> bool: ...
