"""Shared fixtures: settings on a temporary SQLite file, real PostgreSQL/Redis when present, the one
app harness (``h``) and one headless Chromium per browser test module (``browser``)."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings, load_settings
from tests import services
from tests.browser import launched_chromium
from tests.harness import Harness, running

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("SILA_DATA_KEY", "dGVzdC1rZXktZm9yLXNpbGEtdGVzdHMtb25seS0zMmI=")


def pytest_configure(config: pytest.Config) -> None:
    """One FAQ index store for every server the tests start (``SILA_FAQ_INDEX_DIR``), filled with
    the shipped packs' indexes once, here. Why: a server builds its indexes before it answers
    ``/healthz``, 2–4 s an association with the topic classifier; dozens of servers each building
    five of them cost minutes and, on a loaded machine, the start-up timeout. Tests of the store
    itself set their own directory (tests/test_faq_memory.py). Under xdist only the controller fills it."""
    if os.environ.get("SILA_FAQ_INDEX_DIR") or hasattr(config, "workerinput"):
        return
    import tempfile

    from bot.faq.org import build_here, set_index_store, warm
    from bot.packs import load_all

    directory = Path(tempfile.mkdtemp(prefix="sila-test-faq-indexes-"))
    os.environ["SILA_FAQ_INDEX_DIR"] = str(directory)
    set_index_store(directory)
    try:
        build_here(warm(load_all()))
    finally:
        set_index_store(None)


def pytest_unconfigure(config: pytest.Config) -> None:
    directory = os.environ.get("SILA_FAQ_INDEX_DIR", "")
    if Path(directory).name.startswith("sila-test-faq-indexes-") and not hasattr(config, "workerinput"):
        import shutil

        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; tests get a copy (migrating each time costs ~1.5 s)."""
    import asyncio

    from storage.db import migrate

    base = tmp_path_factory.mktemp("template")
    asyncio.run(migrate(load_settings(env={}, data_dir=str(base))))
    return base / "sila.db"


@pytest.fixture
def sqlite_settings(tmp_path: Path, migrated_sqlite: Path) -> Settings:
    """Settings on a fresh, already migrated SQLite file in ``tmp_path``."""
    import shutil

    shutil.copy(migrated_sqlite, tmp_path / "sila.db")
    return load_settings(env={}, data_dir=str(tmp_path), sqlite_synchronous="NORMAL")


@pytest.fixture
async def rt(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Any]:
    """The engine's runtime on a fresh migrated SQLite file with its own data key: for tests that
    play a conversation through the engine without the app's HTTP side (a module may define its
    own ``rt`` instead)."""
    import base64
    import secrets
    import shutil

    from wiring.runtime import open_runtime

    shutil.copy(migrated_sqlite, tmp_path / "sila.db")
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = load_settings(env={}, data_dir=str(tmp_path), sqlite_synchronous="NORMAL", data_key=key)
    async with open_runtime(settings) as runtime:
        yield runtime


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = services.create_pg_database()
    try:
        yield url
    finally:
        services.drop_pg_database(url)


@pytest.fixture(scope="session")
def redis_url() -> str:
    return services.check_redis()


@pytest.fixture
def sila_bin() -> str:
    return str(Path(sys.executable).parent / "sila")


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    """The app on a real port with the fake providers; its console agents close with it."""
    async with running(tmp_path) as harness:
        yield harness


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by playwright-core (skips with a reason where it is missing)."""
    with launched_chromium() as b:
        yield b
