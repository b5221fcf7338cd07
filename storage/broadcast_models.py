"""Tables of coordinator broadcasts (migration 0005): the broadcast and its recipient queue.

Kept beside :mod:`storage.models` (same ``Base``) so the broadcast feature is one self-contained
set of files. ``broadcast_recipients`` is both the per-recipient report and the durable work
queue the broadcast workers share (see :mod:`channels.broadcast_worker`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

#: recipient statuses that still have work to do, as SQL (a literal, so the partial index applies)
OPEN_SQL = "status IN ('queued', 'sending')"


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org: Mapped[str] = mapped_column(ForeignKey("associations.slug"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: draft | sending | paused | cancelled | done
    status: Mapped[str] = mapped_column(String(16), default="draft")
    #: the audience filter: channels, case_status, city, lang, contacted_within_days …
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: {"ar": "...", "en": "..."}
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the WhatsApp template kind (a key of SILA_TWILIO_TEMPLATES) for people outside the window
    template: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    #: when sending may start (None: at once)
    scheduled_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    total: Mapped[int] = mapped_column(Integer, default=0)


class BroadcastRecipient(Base):
    """One person on one channel in one broadcast; ``(broadcast_id, identity_id)`` is unique.

    ``claim_token`` fences claims (a new token per claim): only the current claim may mark the row;
    ``attempt_at`` is written just before the provider call, so a row found claimed by a dead
    worker tells whether the message may already have left.
    """

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "identity_id"),
        Index("ix_broadcast_recipients_due", "broadcast_id", "status", "next_attempt_at"),
        Index("ix_broadcast_recipients_provider_id", "provider_message_id"),
        # the claim query's index (migration 0007): only rows with work left, so a claim late in a
        # large broadcast does not walk past the finished ones; keep its predicate in step with OPEN
        Index("ix_broadcast_recipients_open", "broadcast_id", "next_attempt_at",
              postgresql_where=text(OPEN_SQL), sqlite_where=text(OPEN_SQL)),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    broadcast_id: Mapped[str] = mapped_column(ForeignKey("broadcasts.id"))
    identity_id: Mapped[str] = mapped_column(String(32))
    org: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))
    lang: Mapped[str] = mapped_column(String(2))
    #: queued | sending | sent | delivered | read | failed | skipped | cancelled | unknown
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    attempt_at: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
