"""One batch of turns as plain row writes, and two ways to execute it.

The plan (which rows go to which table) is built once and shared, so SQLite and PostgreSQL
write exactly the same rows. PostgreSQL executes it through SQLAlchemy (asyncpg). SQLite
executes it with pre-built multi-row statements on the standard ``sqlite3`` driver in one
dedicated thread: SQLite serialises writers anyway, and skipping per-row statement compilation
and the async bridge roughly halves the write cost per turn (see ``make bench``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime, Table, and_, bindparam, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ids import new_id
from bot.records import OutboxItem, TurnWrite
from storage.models import Base

TABLES = Base.metadata.tables


@dataclass(frozen=True, slots=True)
class Write:
    """Rows for one table: an INSERT, or an UPDATE with ``s_<col>`` values and ``w_<col>`` keys."""

    table: Table
    rows: list[dict[str, Any]]
    set_cols: tuple[str, ...] = ()
    where_cols: tuple[str, ...] = ()
    #: columns an UPDATE also requires to be NULL (a survey's rating is taken once)
    where_null: tuple[str, ...] = ()
    #: an UPDATE each of whose rows must change exactly one row, else :class:`StaleWrite`
    #: (a conversation's state written from a seq that is no longer the stored one); the table
    #: has ``seq`` and ``updated_at`` columns, which PostgreSQL's check reads back
    must_match: bool = False


class StaleWrite(Exception):
    """An UPDATE that had to change a row found none: the row moved on (another writer, an
    erasure or a retention sweep) since the writer read it. Fails the batch like an integrity
    error, so the store replays it turn by turn and refuses only the stale turn."""


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
            ("seq", "data", "updated_at"), ("conversation_id", "seq"), must_match=True))
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
    for answer in (a for t in turns for a in t.survey_answers):
        keys = {"w_id": answer.survey_id, "w_org": answer.org, "w_conversation_id": answer.conversation_id}
        if answer.rating is not None:
            writes.append(Write(TABLES["surveys"], [{"s_rating": answer.rating, "s_answered_at": answer.answered_at,
                                                     **keys}], ("rating", "answered_at"),
                                ("id", "org", "conversation_id"), ("rating",)))
        if answer.comment is not None:
            writes.append(Write(TABLES["surveys"], [{"s_comment": answer.comment, **keys}], ("comment",),
                                ("id", "org", "conversation_id")))
    outbox = [_outbox_row(o, now) for t in turns for o in t.outbox]
    if outbox:
        writes.append(Write(TABLES["outbox"], outbox))
    return writes


def _outbox_row(o: OutboxItem, now: datetime) -> dict[str, Any]:
    return {
        "id": o.id, "message_id": o.message_id, "conversation_id": o.conversation_id, "org": o.org,
        "channel": o.channel, "address": o.address, "payload": o.payload, "status": o.status,
        "attempts": o.attempts, "next_attempt_at": o.next_attempt_at or now, "claimed_until": None,
        "provider_message_id": None, "last_error": None, "sent_at": None, "created_at": now,
    }


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
            .where(and_(*(w.table.c[col] == bindparam(f"w_{col}") for col in w.where_cols),
                        *(w.table.c[col].is_(None) for col in w.where_null)))
            .values({col: bindparam(f"s_{col}") for col in w.set_cols})
            .execution_options(synchronize_session=False)
        )
        await conn.execute(stmt, w.rows)
        if w.must_match and await _count_written(conn, w) != len(w.rows):
            raise StaleWrite(f"{w.table.name}: a row whose {', '.join(w.where_cols)} is not as read")


async def _count_written(conn: AsyncConnection, w: Write) -> int:
    """How many rows of ``w`` (an UPDATE that sets ``updated_at``, one ``now`` for the batch) now
    hold what it set: one query instead of a row count asyncpg does not give for executemany."""
    t, key = w.table, w.where_cols[0]
    stmt = (
        select(func.count()).select_from(t)
        .where(tuple_(t.c[key], t.c.seq).in_([(row[f"w_{key}"], row["s_seq"]) for row in w.rows]),
               t.c.updated_at == w.rows[0]["s_updated_at"])
    )
    return int((await conn.execute(stmt)).scalar_one())


def _sqlite_datetime(value: datetime) -> str:
    """The exact text SQLAlchemy's SQLite DATETIME type stores (UTC, no offset)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


#: rows per multi-row statement at most (and fewer when the columns would pass SQLite's limit on
#: bound variables); a batch of turns is normally one statement per table
MAX_ROWS_PER_STATEMENT = 1000


def chunk_sizes(rows: int, columns: int, max_variables: int) -> list[int]:
    """How many rows each statement of a ``rows``-row write takes: as few statements as allowed."""
    most = max(1, min(MAX_ROWS_PER_STATEMENT, max_variables // max(1, columns)))
    count = -(-rows // most)
    if count == 0:
        return []
    base, extra = divmod(rows, count)
    return [base + 1] * extra + [base] * (count - extra)


Converter = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a batch: ``execute(sql, params)``, or ``executemany`` when ``many``."""

    sql: str
    params: list[Any]
    many: bool = False
    #: rows it must change (``Write.must_match``), else :class:`StaleWrite`; None: any number
    expect: int | None = None


def _to_json(value: Any) -> str:
    """JSON text as SQLAlchemy's JSON type reads it back (None → 'null', as it stores it).

    orjson, not ``json``: this runs for every row while the writer holds the GIL.
    """
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _to_datetime(value: Any) -> Any:
    return None if value is None else _sqlite_datetime(value)


class SqliteBatchWriter:
    """Executes write plans on one sqlite3 connection owned by one thread.

    Why multi-row statements and not ``executemany``: the sqlite3 module releases the GIL around
    every row it steps, and a writer thread that gives the GIL up hundreds of times per batch
    waits for the busy event loop each time (up to the 5 ms switch interval) to get it back — under
    load a 200-row batch took ~20 ms that way. One ``INSERT … VALUES (…), (…)`` or
    ``UPDATE … FROM (VALUES …)`` per table gives it up a handful of times per batch instead.
    """

    def __init__(self, path: str, synchronous: str) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="sila-sqlite-writer")
        self._path = path
        self._synchronous = synchronous
        self._conn: sqlite3.Connection | None = None
        with contextlib.closing(sqlite3.connect(":memory:")) as probe:
            self._max_variables = probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._sql: dict[tuple[str, tuple[str, ...], tuple[str, ...], int], str] = {}
        self._converters: dict[tuple[str, tuple[str, ...]], list[Converter]] = {}

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False,
                                   cached_statements=256)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")  # as storage.db: erased data does not linger
            self._conn = conn
        return self._conn

    def _statement(self, w: Write, cols: tuple[str, ...], rows: int) -> str:
        """INSERT of ``rows`` rows, or an UPDATE of ``rows`` rows keyed by ``w.where_cols``."""
        key = (w.table.name, cols, w.where_cols + tuple(f"{c} IS NULL" for c in w.where_null), rows)
        sql = self._sql.get(key)
        if sql is None:
            values = ", ".join(["(" + ", ".join("?" * len(cols)) + ")"] * rows)
            name = w.table.name
            if w.set_cols:
                if rows == 1:
                    sets = ", ".join(f"{c} = ?" for c in w.set_cols)
                    wheres = " AND ".join([f"{c} = ?" for c in w.where_cols] + [f"{c} IS NULL" for c in w.where_null])
                    sql = f"UPDATE {name} SET {sets} WHERE {wheres}"
                else:
                    n = len(w.set_cols)
                    sets = ", ".join(f"{c} = v.column{i}" for i, c in enumerate(w.set_cols, start=1))
                    wheres = " AND ".join([f"{name}.{c} = v.column{n + i}" for i, c in enumerate(w.where_cols, start=1)]
                                          + [f"{name}.{c} IS NULL" for c in w.where_null])
                    sql = f"UPDATE {name} SET {sets} FROM (VALUES {values}) AS v WHERE {wheres}"
            else:
                sql = f"INSERT INTO {name} ({', '.join(cols)}) VALUES {values}"
            self._sql[key] = sql
        return sql

    def _converters_for(self, table: Table, cols: tuple[str, ...]) -> list[Converter]:
        key = (table.name, cols)
        found = self._converters.get(key)
        if found is None:
            found = []
            for col in cols:
                kind = table.c[col].type
                found.append(_to_json if isinstance(kind, JSON) else _to_datetime if isinstance(kind, DateTime)
                             else None)
            self._converters[key] = found
        return found

    def statements(self, writes: list[Write]) -> list[Statement]:
        """The SQL and parameters of a plan, built on the caller's (the event loop's) thread.

        Building them here, not in the writer thread, matters as much as the SQL: a writer thread
        busy with Python work holds the GIL whenever the event loop comes back from a socket call.
        """
        out: list[Statement] = []
        for w in writes:
            if w.rows:
                out.extend(self._statements_for(w))
        return out

    def _statements_for(self, w: Write) -> list[Statement]:
        if w.set_cols:
            names = tuple(f"s_{c}" for c in w.set_cols) + tuple(f"w_{c}" for c in w.where_cols)
            cols = w.set_cols + w.where_cols
        else:
            names = cols = tuple(w.rows[0].keys())
        converters = self._converters_for(w.table, cols)
        pairs = list(zip(names, converters, strict=True))
        params = [[row[n] if f is None else f(row[n]) for n, f in pairs] for row in w.rows]
        if w.set_cols:
            keys = {tuple(p[len(w.set_cols):]) for p in params}
            if len(keys) < len(params):  # one row updated twice: keep executemany's in-order effect
                return [Statement(self._statement(w, cols, 1), params, many=True,
                                  expect=len(params) if w.must_match else None)]
        out: list[Statement] = []
        at = 0
        for size in chunk_sizes(len(params), len(cols), self._max_variables):
            out.append(Statement(self._statement(w, cols, size), [v for p in params[at:at + size] for v in p],
                                 expect=size if w.must_match else None))
            at += size
        return out

    def _run(self, statements: list[Statement]) -> None:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for st in statements:
                cur = conn.executemany(st.sql, st.params) if st.many else conn.execute(st.sql, st.params)
                if st.expect is not None and cur.rowcount != st.expect:
                    raise StaleWrite(f"{st.expect - cur.rowcount} of {st.expect} rows not as read")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _write(self, writes: list[Write]) -> None:
        """Build and execute a plan on the calling thread (tests and tools)."""
        self._run(self.statements(writes))

    async def write(self, writes: list[Write]) -> None:
        statements = self.statements(writes)
        await asyncio.get_running_loop().run_in_executor(self._pool, self._run, statements)

    def close(self) -> None:
        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        self._pool.submit(_close).result()
        self._pool.shutdown()
