"""Database engines and migrations.

SQLite gets two engines over one file: a *writer* whose transactions start with ``BEGIN
IMMEDIATE`` (so two writers never deadlock on a lock upgrade) and a *reader* with ordinary
deferred transactions that WAL lets run beside the writer. PostgreSQL uses one pooled engine
for both. Nothing here ever performs a network call inside a write transaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.settings import Settings, SettingsError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass(slots=True)
class Database:
    """The pair of engines the stores use; one pool on PostgreSQL, the reader in autocommit."""

    writer: AsyncEngine
    reader: AsyncEngine
    dialect: str
    #: SQLite only: the file, and its synchronous pragma (for the raw batch writer)
    sqlite_path: str | None = None
    synchronous: str = "FULL"
    #: errors the driver raised (connection lost, constraint, timeout...), for /metrics
    errors: int = 0

    def count_errors(self) -> None:
        """Count every error the engines raise (an event hook: no call site can forget it)."""
        def _on_error(_context: Any) -> None:
            self.errors += 1

        event.listen(self.writer.sync_engine, "handle_error", _on_error)
        if self.reader.pool is not self.writer.pool:  # an option engine shares its parent's events
            event.listen(self.reader.sync_engine, "handle_error", _on_error)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader.pool is not self.writer.pool:
            await self.reader.dispose()


def _sqlite_pragmas(sync_engine: Engine, synchronous: str, immediate: bool) -> None:
    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # let SQLAlchemy's "begin" event below decide how a transaction starts
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        # deleted or overwritten personal data (an erased person, a dropped raw update) is zeroed
        # in the file, not left readable in free pages
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_database(settings: Settings) -> Database:
    url = settings.effective_database_url
    if settings.is_sqlite:
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        writer = create_async_engine(url, pool_size=1, max_overflow=0)
        reader = create_async_engine(url, pool_size=4, max_overflow=4)
        _sqlite_pragmas(writer.sync_engine, settings.sqlite_synchronous, immediate=True)
        _sqlite_pragmas(reader.sync_engine, settings.sqlite_synchronous, immediate=False)
        db = Database(writer, reader, "sqlite", path, settings.sqlite_synchronous)
        db.count_errors()
        return db
    # Sized once for the worker (SILA_DB_POOL_SIZE) with no overflow: an overflow connection is
    # opened (TCP, a TLS attempt, authentication) for one query and closed on return, which under
    # load was a steady churn of new connections. No pre-ping either: it is a round trip on every
    # check-out; a connection the server dropped fails its query instead, SQLAlchemy then
    # discards the pool's stale connections, and the turn is answered "busy, try again".
    engine = create_async_engine(url, pool_size=settings.db_pool_size, max_overflow=0, pool_timeout=30,
                                 pool_recycle=3600)
    # Reads in autocommit: no BEGIN before and no ROLLBACK after each read (two round trips of
    # three). PostgreSQL's READ COMMITTED gives each statement its own snapshot either way, and
    # nothing writes through the reader.
    reader = engine.execution_options(isolation_level="AUTOCOMMIT")
    db = Database(engine, reader, "postgresql")
    db.count_errors()
    return db


async def check_reachable(db: Database, within: float = 5.0) -> None:
    """Fail fast, naming the setting, when the database cannot be reached."""
    try:
        async with asyncio.timeout(within):
            async with db.reader.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except (TimeoutError, OSError, SQLAlchemyError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SettingsError(f"SILA_DATABASE_URL: database unreachable: {reason[:200]}") from None


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate_sync(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (blocking; call from a thread or the CLI)."""
    command.upgrade(alembic_config(url), revision)


async def migrate(settings: Settings) -> None:
    url = settings.effective_database_url
    if settings.is_sqlite:
        path = url.split("///", 1)[1]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(migrate_sync, url)


async def schema_is_current(db: Database) -> bool:
    """True when the database is at the newest migration (several workers must not race to migrate)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    try:
        async with db.reader.connect() as conn:
            current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except SQLAlchemyError:
        return False
    return current == head
