"""The ports the conversation core needs, as protocols: storage and wiring implement them.

The core (``bot/``) never imports a store, a database or Redis; it is handed implementations of
these protocols (one typed :class:`Services` object per engine) by the wiring layer. That keeps
the engine testable in memory and the dependency arrows pointing one way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.records import CaseSummary, ConversationRecord, OutboxItem, StoredMessage, TurnWrite
from bot.sealed import Cipher
from bot.settings import Settings
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


class CaseDesk(Protocol):
    """Filing and looking up requests (:class:`storage.cases.CaseService`)."""

    async def create(
        self, *, org: str, code: str, beneficiary_id: str, conversation_id: str | None, channel: str,
        flow_id: str, answers: dict[str, Any], declaration: dict[str, Any], consent: dict[str, Any] | None,
        decision_min_days: int | None, submit_key: str, now: datetime | None = None,
        sensitive: Iterable[str] = (),
    ) -> CaseSummary: ...

    async def for_beneficiary(self, org: str, beneficiary_id: str, *, open_only: bool = True) -> list[CaseSummary]:
        ...

    async def by_reference(self, org: str, reference: str) -> tuple[CaseSummary, str | None, str | None] | None:
        """The case, the phone it was filed with and its national-ID look-up hash (None: no such case)."""
        ...

    async def add_note(self, *, org: str, case_id: str, text: str, actor: str = "beneficiary") -> str | None:
        """Attach the person's words to their case for its officer; the case's reference, or None."""
        ...

    async def update_profile(self, *, org: str, beneficiary_id: str, answers: dict[str, Any],
                             channel: str) -> None: ...

    async def add_volunteer(self, *, org: str, beneficiary_id: str, answers: dict[str, Any],
                            submit_key: str) -> bool: ...


class Auditor(Protocol):
    """The audit trail (:class:`storage.cases.AuditTrail`): who looked at or changed what."""

    async def record(self, *, actor: str, action: str, org: str | None = None, target: str | None = None,
                     detail: dict[str, Any] | None = None) -> None: ...


class VerificationGuard(Protocol):
    """Failed status verifications, counted durably per request reference and per person
    (:class:`storage.verification.AuditVerificationGuard`), across inquiries, sessions and
    visitors: a new chat is not a new budget of guesses."""

    async def attempt(self, *, org: str, reference: str, who: str, now: datetime) -> bool:
        """Count one attempt on ``reference`` by ``who`` as failed, before the answer is checked
        (so concurrent guesses are all counted); False when either is locked out (nothing is
        checked then)."""
        ...

    async def verified(self, *, org: str, reference: str, who: str, now: datetime) -> None:
        """The attempt succeeded: the failures counted so far on ``reference`` no longer lock it."""
        ...


@dataclass(slots=True)
class Services:
    """Everything a turn may use beyond its own state, typed; the wiring layer fills it.

    Each optional port is None where the deployment has none (``sila ask`` runs in memory with
    no database: no cases, no cipher, no audit), and the stages say so to the person instead of
    failing.
    """

    settings: Settings
    cases: CaseDesk | None = None
    cipher: Cipher | None = None
    audit: Auditor | None = None
    verification: VerificationGuard | None = None
    #: the place in the hand-off queue a request made now gets (None: unknown, none is claimed)
    queue_position: Callable[[str], int | None] | None = None
