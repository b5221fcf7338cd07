"""The ports the conversation core needs, as protocols: storage and wiring implement them.

The core (``bot/``) never imports a store, a database or Redis; it is handed implementations of
these protocols (one typed :class:`Services` object per engine) by the wiring layer. That keeps
the engine testable in memory and the dependency arrows pointing one way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.records import ConversationRecord, OutboxItem, StoredMessage, TurnWrite
from bot.types import ConversationKey


class ConversationStore(Protocol):
    async def load(self, key: ConversationKey) -> ConversationRecord:
        """The conversation for ``key``; a new, unsaved record (``is_new``) when there is none."""
        ...

    async def commit(self, turn: TurnWrite) -> None:
        """Write a turn atomically. Raises SeqConflict or DuplicateMessage and writes nothing."""
        ...

    async def history(self, conversation_id: str, after_seq: int = 0, limit: int = 200) -> list[StoredMessage]:
        ...

    async def seen(self, key: ConversationKey, provider_message_id: str) -> bool:
        ...

    async def claim_outbox(self, limit: int, lease: timedelta) -> list[OutboxItem]:
        """Due push-channel messages, leased to this worker so no other sends them meanwhile.

        A row is not due while an earlier row of its conversation waits (a retry later, or in
        flight): replies reach the person in the order they were written."""
        ...

    async def finish_outbox(
        self, item_id: str, *, status: str, provider_message_id: str | None = None,
        error: str | None = None, retry_at: datetime | None = None,
        payload_update: Mapping[str, Any] | None = None,
    ) -> None:
        """Finish or (``retry_at``) reschedule a claimed row; ``payload_update`` is merged into its
        payload (the worker keeps there which parts of a multi-part reply were already accepted)."""
        ...

    def forget(self, key: ConversationKey) -> None:
        """Drop any cached copy of ``key`` (after a conflict)."""
        ...

    async def close(self) -> None:
        ...


class LockProvider(Protocol):
    def lock(self, name: str) -> contextlib.AbstractAsyncContextManager[None]: ...

    async def close(self) -> None: ...


Handler = Callable[[dict[str, Any]], None]


class EventBus(Protocol):
    async def publish(self, topic: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        """Call ``handler`` for each event on ``topic``; returns an unsubscribe function."""
        ...

    async def close(self) -> None: ...
