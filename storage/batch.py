"""One batch of turns as plain row writes, and two ways to execute it.

The plan (which rows go to which table) is built once and shared, so SQLite and PostgreSQL
write exactly the same rows. PostgreSQL executes it through SQLAlchemy (asyncpg). SQLite
executes it with pre-built ``executemany`` statements on the standard ``sqlite3`` driver in one
dedicated thread: SQLite serialises writers anyway, and skipping per-row statement compilation
and the async bridge roughly halves the write cost per turn (see ``make bench``).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Table, and_, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base, new_id
from storage.records import TurnWrite

TABLES = Base.metadata.tables


@dataclass(frozen=True, slots=True)
class Write:
    """Rows for one table: an INSERT, or an UPDATE with ``s_<col>`` values and ``w_<col>`` keys."""

    table: Table
    rows: list[dict[str, Any]]
    set_cols: tuple[str, ...] = ()
    where_cols: tuple[str, ...] = ()


def plan(turns: list[TurnWrite], now: datetime) -> list[Write]:
    """Every row a batch of turns writes, parents before children."""
    writes: list[Write] = []
    new = [t for t in turns if t.conversation.is_new]
    if new:
        writes.append(Write(TABLES["beneficiaries"], [
            {"id": t.conversation.beneficiary_id, "org": t.conversation.org, "display_name": t.beneficiary_name,
             "lang": t.conversation.lang, "phone_e164": None, "created_at": now} for t in new]))
        writes.append(Write(TABLES["channel_identities"], [
            {"id": new_id(), "org": c.org, "channel": c.channel, "address": c.address,
             "beneficiary_id": c.beneficiary_id, "last_inbound_at": None, "opted_out_at": None,
             "unreachable_at": None, "created_at": now} for c in (t.conversation for t in new)]))
        writes.append(Write(TABLES["conversations"], [
            {"id": c.id, "org": c.org, "channel": c.channel, "address": c.address,
             "beneficiary_id": c.beneficiary_id, "status": c.status, "created_at": now, "updated_at": now}
            for c in (t.conversation for t in new)]))
        writes.append(Write(TABLES["conversation_states"], [
            {"conversation_id": t.conversation.id, "seq": t.conversation.seq, "data": t.conversation.state,
             "updated_at": now} for t in new]))
    old = [t for t in turns if not t.conversation.is_new]
    if old:
        writes.append(Write(TABLES["conversation_states"], [
            {"s_seq": t.conversation.seq, "s_data": t.conversation.state, "s_updated_at": now,
             "w_conversation_id": t.conversation.id, "w_seq": t.previous_seq} for t in old],
            ("seq", "data", "updated_at"), ("conversation_id", "seq")))
    changed = [t.conversation for t in old if t.status_changed]
    if changed:
        writes.append(Write(TABLES["conversations"], [
            {"s_status": c.status, "s_updated_at": now, "w_id": c.id} for c in changed],
            ("status", "updated_at"), ("id",)))
    touched = [t for t in turns if t.touch_inbound_at is not None]
    if touched:
        writes.append(Write(TABLES["channel_identities"], [
            {"s_last_inbound_at": t.touch_inbound_at, "w_org": t.conversation.org,
             "w_channel": t.conversation.channel, "w_address": t.conversation.address} for t in touched],
            ("last_inbound_at",), ("org", "channel", "address")))
    messages = [_message_row(t, m, now) for t in turns for m in t.messages]
    if messages:
        writes.append(Write(TABLES["messages"], messages))
    outbox = [{**o, "created_at": now} for t in turns for o in t.outbox]
    if outbox:
        writes.append(Write(TABLES["outbox"], outbox))
    return writes


def _message_row(turn: TurnWrite, m: Any, now: datetime) -> dict[str, Any]:
    c = turn.conversation
    return {
        "id": m.id, "conversation_id": c.id, "org": c.org, "channel": c.channel, "seq": m.seq,
        "direction": m.direction, "author": m.author, "provider_message_id": m.provider_message_id,
        "text": m.text, "payload": m.payload, "kind": m.kind, "delivery_status": m.delivery_status,
        "created_at": m.created_at or now,
    }


async def execute_sqlalchemy(conn: AsyncConnection, writes: list[Write]) -> None:
    for w in writes:
        if not w.set_cols:
            await conn.execute(insert(w.table), w.rows)
            continue
        stmt = (
            update(w.table)
            .where(and_(*(w.table.c[col] == bindparam(f"w_{col}") for col in w.where_cols)))
            .values({col: bindparam(f"s_{col}") for col in w.set_cols})
            .execution_options(synchronize_session=False)
        )
        await conn.execute(stmt, w.rows)


def _sqlite_datetime(value: datetime) -> str:
    """The exact text SQLAlchemy's SQLite DATETIME type stores (UTC, no offset)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


class SqliteBatchWriter:
    """Executes write plans on one sqlite3 connection owned by one thread."""

    def __init__(self, path: str, synchronous: str) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="sila-sqlite-writer")
        self._path = path
        self._synchronous = synchronous
        self._conn: sqlite3.Connection | None = None
        self._sql: dict[tuple[str, tuple[str, ...], tuple[str, ...]], str] = {}

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA foreign_keys=ON")
            self._conn = conn
        return self._conn

    def _statement(self, w: Write, insert_cols: tuple[str, ...]) -> str:
        key = (w.table.name, w.set_cols or insert_cols, w.where_cols)
        sql = self._sql.get(key)
        if sql is None:
            if w.set_cols:
                sets = ", ".join(f"{c} = ?" for c in w.set_cols)
                wheres = " AND ".join(f"{c} = ?" for c in w.where_cols)
                sql = f"UPDATE {w.table.name} SET {sets} WHERE {wheres}"
            else:
                sql = (f"INSERT INTO {w.table.name} ({', '.join(insert_cols)}) "
                       f"VALUES ({', '.join('?' for _ in insert_cols)})")
            self._sql[key] = sql
        return sql

    @staticmethod
    def _convert(table: Table, col: str, value: Any) -> Any:
        kind = table.c[col].type
        if isinstance(kind, JSON):
            return json.dumps(value, ensure_ascii=False)  # None → 'null', as SQLAlchemy stores it
        if value is not None and isinstance(kind, DateTime):
            return _sqlite_datetime(value)
        return value

    def _write(self, writes: list[Write]) -> None:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for w in writes:
                if w.set_cols:
                    cols = [("s_", c) for c in w.set_cols] + [("w_", c) for c in w.where_cols]
                    sql = self._statement(w, ())
                else:
                    insert_cols = tuple(w.rows[0].keys())
                    cols = [("", c) for c in insert_cols]
                    sql = self._statement(w, insert_cols)
                params = [tuple(self._convert(w.table, c, row[p + c]) for p, c in cols) for row in w.rows]
                conn.executemany(sql, params)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def write(self, writes: list[Write]) -> None:
        await asyncio.get_running_loop().run_in_executor(self._pool, self._write, writes)

    def close(self) -> None:
        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        self._pool.submit(_close).result()
        self._pool.shutdown()
