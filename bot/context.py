"""What a routing stage sees and changes during one turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.packs import LoadedPack
from bot.render import Capabilities
from bot.state import DialogState
from bot.types import InboundMessage, Reply


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
    services: Any = None
    #: the FAQ decision, if the FAQ stage ran
    decision: Any = None
    #: what the transcript keeps of the inbound message instead of its words, when they must not
    #: be stored (an answer to a national-ID question keeps only its last digits); None: as sent
    stored_text: str | None = None

    @property
    def lang(self) -> str:
        return self.state.lang

    @property
    def input(self) -> str:
        return self.message.input

    def say(self, *replies: Reply) -> None:
        self.replies.extend(replies)
