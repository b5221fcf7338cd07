"""What every ``sila`` command shares: its error type, the association check and the preflight.

One preflight for every command that opens the database: reach it (and Redis when set) with one
clear line if it is down, migrate a SQLite database (a newcomer's default, nothing to run
first) and refuse a PostgreSQL one whose schema is behind (`sila migrate` is a deliberate step
there, run once per deployment, not by every worker).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from app.logs import configure_logging
from bot.packs import LoadedPack, load_all
from bot.settings import Settings, load_settings
from storage.db import Database, check_reachable, create_database, migrate, schema_is_current
from wiring.runtime import connect_redis


class CliError(Exception):
    """A problem the person can fix; printed as one line, exit status 2."""


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "port", None):
        overrides["port"] = args.port
    if getattr(args, "host", None):
        overrides["host"] = args.host
    settings = load_settings(**overrides)
    configure_logging(settings, level_given="SILA_LOG_LEVEL" in os.environ)
    return settings


def known_packs(settings: Settings, slugs: Iterable[str] = ()) -> dict[str, LoadedPack]:
    """The association packs; an unknown slug among ``slugs`` is a :class:`CliError` naming the valid ones."""
    packs = load_all(Path(settings.orgs_dir) if settings.orgs_dir else None)
    for slug in slugs:
        if slug not in packs:
            raise CliError(f"unknown association '{slug}'; valid slugs: {', '.join(sorted(packs))}")
    return packs


async def preflight(settings: Settings, *, redis: bool = False) -> None:
    """Migrate SQLite; reach the database (and Redis if asked) and check its schema is current."""
    if settings.is_sqlite:
        await migrate(settings)
    async with open_database(settings):
        pass
    if redis and settings.redis_url:
        client = await connect_redis(settings.redis_url)
        await client.aclose()


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The database, reached and at the current schema, disposed of on exit."""
    db = create_database(settings)
    try:
        await check_reachable(db)
        if not await schema_is_current(db):
            raise CliError("database schema is not up to date: run `sila migrate` first")
        yield db
    finally:
        await db.dispose()
