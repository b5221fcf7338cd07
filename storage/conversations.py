"""The conversation store contract, and the in-memory implementation.

The contract is small on purpose (load, commit, history, seen, outbox) so that one test suite
(``tests/test_store_contract.py``) runs unchanged over memory, SQLite and PostgreSQL. The
memory store enforces the same uniqueness rules as the database so tests mean the same thing.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.clock import utcnow
from bot.ids import new_id
from bot.records import (
    ConversationRecord,
    DuplicateMessage,
    OutboxItem,
    SeqConflict,
    StoredMessage,
    TurnWrite,
)
from bot.types import ConversationKey


def new_record(key: ConversationKey) -> ConversationRecord:
    return ConversationRecord(
        id=new_id(), org=key.org, channel=key.channel, address=key.address,
        beneficiary_id=new_id(), status="bot", seq=0, state={}, is_new=True,
    )


class MemoryConversationStore:
    """Everything in dicts; for tests, `sila ask`, and a process that needs no durability."""

    def __init__(self) -> None:
        self._convs: dict[ConversationKey, ConversationRecord] = {}
        self._messages: dict[str, list[StoredMessage]] = defaultdict(list)
        self._provider_ids: set[tuple[str, str, str, str]] = set()
        self._outbox: dict[str, OutboxItem] = {}
        self._outbox_due: dict[str, datetime] = {}

    async def load(self, key: ConversationKey) -> ConversationRecord:
        rec = self._convs.get(key)
        return copy.deepcopy(rec) if rec else new_record(key)

    async def commit(self, turn: TurnWrite) -> None:
        conv = turn.conversation
        key = ConversationKey(conv.org, conv.channel, conv.address)
        current = self._convs.get(key)
        current_seq = current.seq if current else 0
        if current_seq != turn.previous_seq or (current is None and not conv.is_new):
            raise SeqConflict(conv.id)
        ids = [
            (conv.org, conv.channel, m.direction, m.provider_message_id)
            for m in turn.messages if m.provider_message_id is not None
        ]
        if any(i in self._provider_ids for i in ids) or len(set(ids)) != len(ids):
            raise DuplicateMessage(conv.id)
        self._provider_ids.update(ids)
        self._messages[conv.id].extend(copy.deepcopy(turn.messages))
        for row in turn.outbox:
            self._outbox[row.id] = copy.deepcopy(row)
            self._outbox_due[row.id] = row.next_attempt_at or utcnow()
        saved = copy.deepcopy(conv)
        saved.is_new = False
        self._convs[key] = saved

    async def history(self, conversation_id: str, after_seq: int = 0, limit: int = 200) -> list[StoredMessage]:
        rows = [m for m in self._messages.get(conversation_id, []) if m.seq > after_seq]
        return copy.deepcopy(rows[-limit:] if after_seq == 0 else rows[:limit])

    async def seen(self, key: ConversationKey, provider_message_id: str) -> bool:
        return (key.org, key.channel, "in", provider_message_id) in self._provider_ids

    async def claim_outbox(self, limit: int, lease: timedelta) -> list[OutboxItem]:
        now = utcnow()
        waiting = {  # conversation → its oldest row that waits (a retry later, or in flight)
            item.conversation_id: item.id for item in sorted(self._outbox.values(), key=lambda i: i.id, reverse=True)
            if item.status in ("pending", "sending") and self._outbox_due[item.id] > now
        }
        due = [
            item for item in sorted(self._outbox.values(), key=lambda i: i.id)
            if item.status == "pending" and self._outbox_due[item.id] <= now
            and item.id < waiting.get(item.conversation_id, "~")  # never ahead of an earlier reply
        ][:limit]
        for item in due:
            item.status = "sending"
            item.attempts += 1
            self._outbox_due[item.id] = now + lease
        return copy.deepcopy(due)

    async def finish_outbox(
        self, item_id: str, *, status: str, provider_message_id: str | None = None,
        error: str | None = None, retry_at: datetime | None = None,
        payload_update: Mapping[str, Any] | None = None,
    ) -> None:
        item = self._outbox[item_id]
        if payload_update:
            item.payload = {**item.payload, **copy.deepcopy(dict(payload_update))}
        if retry_at is not None:
            item.status = "pending"
            self._outbox_due[item_id] = retry_at
        else:
            item.status = status

    def forget(self, key: ConversationKey) -> None:
        return None

    async def close(self) -> None:
        return None
