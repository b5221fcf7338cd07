"""``create_app(settings)``: the one aiohttp application that hosts every channel and the console.

Resources are opened in ``cleanup_ctx`` (so they close in reverse order even on a failed start)
and services are stored under typed ``AppKey``s.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.faq.org import is_built
from bot.packs import LoadedPack
from bot.settings import Settings, SettingsError
from channels.push import setup_push_channels
from channels.webchat import setup_webchat
from console import setup_console
from storage.db import check_reachable
from wiring.bodies import malformed_bodies
from wiring.metrics import render as render_metrics
from wiring.reminders import reminder_loop
from wiring.runtime import RUNTIME, Runtime, open_runtime

log = logging.getLogger("sila.server")

#: built FAQ indexes are kept under SILA_DATA_DIR here unless SILA_FAQ_INDEX_DIR says where (bot/faq/index_store.py)
FAQ_INDEX_DIR = "faq-indexes"
#: the young generation's allocation threshold while serving (CPython's default is 700)
GC_GEN0_THRESHOLD = 10_000


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    return web.json_response({"ok": True, "associations": sorted(runtime.packs)})


async def readyz(request: web.Request) -> web.Response:
    """Ready for traffic: the database and Redis answer and every FAQ index is built.

    ``/healthz`` says the process is alive (restart it if not); ``/readyz`` says whether a load
    balancer should send it people now (a worker that lost Redis only refuses turns, so it is
    taken out of rotation rather than restarted).
    """
    runtime = request.app[RUNTIME]
    checks: dict[str, bool] = {}
    if runtime.db is not None:
        try:
            await check_reachable(runtime.db, within=2.0)
            checks["database"] = True
        except SettingsError:
            checks["database"] = False
    if runtime.redis is not None:
        try:
            async with asyncio.timeout(1.0):
                checks["redis"] = bool(await runtime.redis.ping())
        except Exception:
            checks["redis"] = False
    # before listening (``prepare_for_traffic``) the indexes the memory bound keeps are built;
    # the others are on disk (loaded by their next question) or, after a first start, being
    # built by a background process (a question meanwhile builds its own)
    checks["faq_indexes"] = runtime.faq_ready or all(is_built(p) for p in runtime.packs.values())
    ok = all(checks.values())
    return web.json_response({"ok": ok, "checks": checks}, status=200 if ok else 503)


async def metrics(request: web.Request) -> web.Response:
    body = await render_metrics(request.app[RUNTIME])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/chat/" + sorted(request.app[RUNTIME].packs)[0])


def create_app(settings: Settings, packs: dict[str, LoadedPack] | None = None) -> web.Application:
    """``packs``: the disk packs if the caller has loaded them already (else loaded at start)."""
    app = web.Application(client_max_size=1024 * 1024, middlewares=[malformed_bodies])

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        async with open_runtime(settings, packs=packs) as runtime:
            app[RUNTIME] = runtime
            runtime.background.append(asyncio.get_running_loop().create_task(reminder_loop(runtime)))
            yield

    app.cleanup_ctx.append(runtime_ctx)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/", index)
    setup_webchat(app)
    setup_push_channels(app)  # Telegram, WhatsApp, SMS webhooks + the outbox delivery worker
    setup_console(app)  # the staff console under /console
    return app


def prepare_for_traffic(app: web.Application) -> None:
    """For a long-running server: build or load the FAQ indexes before listening, then take the heap out
    of the GC's way.

    Why: a full (generation 2) collection walks every tracked object — the loaded modules, the
    packs and the FAQ indexes are ~200k of them, 80–170 ms of stopped event loop each time, which
    was most of the web chat's p99 under load (``make bench``). Once start-up is over those objects
    live as long as the process, so they are moved to the permanent generation (``gc.freeze``); a
    larger young generation means in-flight turns are promoted (and full collections triggered)
    less often. Before the port opens every association's index is built or found on disk
    (``bot.faq.org.warm``) and those within the memory bound are loaded, with the collector
    paused meanwhile, so no question waits for a build and no collection pauses live traffic;
    ``/healthz`` answering means ready.
    """
    async def start(app: web.Application) -> None:
        await _warm_then_freeze(app[RUNTIME])

    app.on_startup.append(start)


async def _warm_then_freeze(runtime: Runtime) -> None:
    from bot.faq.org import build_here, kept_bytes, set_index_limit, set_index_store, warm

    settings = runtime.settings
    set_index_limit(settings.faq_max_indexes, settings.faq_index_memory_mb)
    set_index_store(Path(settings.faq_index_dir) if settings.faq_index_dir else settings.data_dir / FAQ_INDEX_DIR)
    started = time.perf_counter()
    gc.disable()  # building allocates ~100k long-lived objects: one collection at the end, not dozens
    try:
        missing = await asyncio.to_thread(warm, runtime.packs)
        if missing and settings.faq_build_processes < 1:
            await asyncio.to_thread(build_here, missing)
        elif missing:
            runtime.background.append(asyncio.get_running_loop().create_task(_build_in_background(missing, settings)))
        log.info(
            "FAQ indexes of %d associations ready in %.1f s (%.0f MB in memory; %d left to build in the background)",
            len(runtime.packs), time.perf_counter() - started, kept_bytes() / 2**20,
            len(missing) if settings.faq_build_processes >= 1 else 0,
        )  # fmt: skip
    except Exception:  # a pack whose index can't be built still fails loudly on its first question
        log.exception("building the FAQ indexes ahead of traffic failed")
    finally:
        gc.enable()
    runtime.faq_ready = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])
    log.info("FAQ indexes ready; %d objects moved out of the collector's way", gc.get_freeze_count())


async def _build_in_background(missing: list[tuple[str, LoadedPack]], settings: Settings) -> None:
    """Build the indexes a first start did not keep in memory, in ``SILA_FAQ_BUILD_PROCESSES``
    low-priority processes (bot/faq/index_builder.py), so the worker serves meanwhile; a
    question to one of those associations before its index is stored builds it itself.
    What a failed builder left is built here, on a thread."""
    from bot.faq.org import build_here, builder_command, builder_line, is_stored

    started = time.perf_counter()
    count = min(settings.faq_build_processes, len(missing))
    children: list[asyncio.subprocess.Process] = []

    async def feed(child: asyncio.subprocess.Process, share: list[tuple[str, LoadedPack]]) -> None:
        assert child.stdin is not None
        try:
            for key, pack in share:
                child.stdin.write(builder_line(key, pack))
                await child.stdin.drain()
            child.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the builder died: what it left is built below
        await child.wait()

    try:
        for _ in range(count):
            children.append(await asyncio.create_subprocess_exec(*builder_command(), stdin=asyncio.subprocess.PIPE))
        await asyncio.gather(*(feed(child, missing[i::count]) for i, child in enumerate(children)))
    except OSError:
        log.warning("could not run FAQ index builders", exc_info=True)
    finally:
        for child in children:
            if child.returncode is None:  # the worker is stopping
                child.kill()
                await child.wait()
    left = [(key, pack) for key, pack in missing if not is_stored(key)]
    if left:
        log.warning("FAQ index builders left %d of %d indexes; building them here", len(left), len(missing))
        await asyncio.to_thread(build_here, left)
    log.info("FAQ indexes of %d more associations stored in %.1f s", len(missing), time.perf_counter() - started)
