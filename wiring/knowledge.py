"""Associations' own edits of their packs, applied on every worker without a restart.

The packs on disk are the defaults; :class:`PackRegistry` keeps them, applies each
association's latest stored override (:mod:`storage.pack_overrides`) at start, and after an
edit commits it swaps the rebuilt pack into the one ``packs`` dict the engine, the channels and
the console all read (a single dict assignment, so a turn sees the old pack or the new one,
never half of each). The FAQ index is rebuilt *before* the swap, so no beneficiary's turn pays
for it. Other workers hear ``{"org", "version"}`` on the ``packs`` topic of the event bus
(Redis pub/sub across processes) and reload that association from the database; after a lost
Redis connection (the bus's ``resync``) they reload every association, since events sent while
they were deaf are gone.

Console pages and any future command call the same actions here (:meth:`PackRegistry.edit`,
:meth:`PackRegistry.roll_back`), so what is validated, stored, audited and announced is one path.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot import decisions, pack_edit
from bot.faq.org import install
from bot.packs import LoadedPack
from bot.ports import EventBus
from storage import pack_overrides
from storage.db import Database
from storage.pack_overrides import Version, VersionConflict

__all__ = ["TOPIC", "PackRegistry", "VersionConflict"]

log = logging.getLogger("sila.knowledge")

#: the event-bus topic edits are announced on
TOPIC = "packs"


@dataclass
class PackRegistry:
    #: the live packs, shared with the engine (``Runtime.packs``)
    packs: dict[str, LoadedPack]
    db: Database | None
    bus: EventBus
    #: the packs as loaded from disk: every override applies to these
    defaults: dict[str, LoadedPack] = field(default_factory=dict)
    #: the override version each association is on here (0: the disk pack)
    versions: dict[str, int] = field(default_factory=dict)
    #: seconds the last swap spent rebuilding the FAQ index, per association (logged, and read by the bench)
    index_seconds: dict[str, float] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _unsubscribe: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        if not self.defaults:
            self.defaults = dict(self.packs)

    # -- reading ---------------------------------------------------------------------------

    async def current(self, org: str) -> Version | None:
        if self.db is None:
            return None
        return (await pack_overrides.latest(self.db, org)).get(org)

    # -- applying --------------------------------------------------------------------------

    async def swap(self, org: str, loaded: LoadedPack, version: int) -> None:
        """Rebuild the association's FAQ index, then make ``loaded`` the live pack.

        The index (a few hundred milliseconds of CPU) is built on a thread, so turns of other
        conversations keep being served meanwhile rather than waiting for the event loop.
        """
        started = time.perf_counter()
        await asyncio.to_thread(install, loaded)
        self.index_seconds[org] = time.perf_counter() - started
        if version < self.versions.get(org, 0):
            return  # a newer version was swapped in while this one was being indexed
        log.info("association %s: pack version %d in use (index rebuilt in %.0f ms)", org, version,
                 self.index_seconds[org] * 1000)
        self.packs[org] = loaded
        self.versions[org] = version
        decisions.forget()

    async def _apply(self, stored: Version) -> None:
        base = self.defaults.get(stored.org)
        if base is None:
            return
        try:
            loaded = pack_edit.apply(base, stored.document) if stored.document else base
        except pack_edit.EditError as exc:
            # the disk pack changed under a stored edit: keep serving the disk pack, loudly
            log.error("association %s: stored edit v%s no longer applies (%s); serving the pack on disk",
                      stored.org, stored.version, exc)
            loaded = base
        await self.swap(stored.org, loaded, stored.version)

    async def load_stored(self, org: str | None = None) -> None:
        """Apply the latest stored edits (of every association, or of ``org``)."""
        if self.db is None:
            return
        for slug, stored in (await pack_overrides.latest(self.db, org)).items():
            if stored.version != self.versions.get(slug, 0):
                await self._apply(stored)

    async def start(self) -> None:
        """At start-up: every stored edit applied, then listen for other workers' edits."""
        await self.load_stored()
        self._unsubscribe = self.bus.subscribe(TOPIC, self._on_event)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        for task in self._tasks:
            task.cancel()

    def _on_event(self, event: dict[str, Any]) -> None:
        org = event.get("org")
        if event.get("type") != "resync":
            if not isinstance(org, str) or org not in self.defaults:
                return
            if int(event.get("version") or 0) == self.versions.get(org, 0):
                return  # our own edit coming back, or one we already applied
        task = asyncio.get_running_loop().create_task(self._reload(org if isinstance(org, str) else None))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reload(self, org: str | None) -> None:
        try:
            await self.load_stored(org)
        except Exception:
            log.exception("reloading edited pack %s failed", org or "(all)")

    # -- changing --------------------------------------------------------------------------

    async def edit(self, org: str, *, author: str, action: str, expected: int,
                   change: Callable[[dict[str, Any]], dict[str, Any]],
                   detail: dict[str, Any] | None = None) -> Version:
        """Apply ``change`` to the association's override, validate, store, swap and announce.

        ``change`` gets a copy of the current override document and returns the new one.
        Raises :class:`bot.pack_edit.EditError` (nothing stored) or :class:`VersionConflict`.
        """
        assert self.db is not None
        before = (await self.current(org))
        old_doc = before.document if before else {}
        return await self._store(org, author=author, action=action, expected=expected, old_doc=old_doc,
                                 new_doc=change(_copy(old_doc)), detail=detail)

    async def roll_back(self, org: str, *, author: str, expected: int, to_version: int) -> Version:
        """A new version whose document is version ``to_version``'s (0: the pack on disk)."""
        assert self.db is not None
        before = await self.current(org)
        target: dict[str, Any] = {}
        if to_version:
            found = await pack_overrides.get(self.db, org, to_version)
            if found is None:
                raise pack_edit.EditError("version", f"no version {to_version}")
            target = found.document
        return await self._store(org, author=author, action="rollback", expected=expected,
                                 old_doc=before.document if before else {}, new_doc=_copy(target),
                                 detail={"to": to_version})

    async def _store(self, org: str, *, author: str, action: str, expected: int, old_doc: dict[str, Any],
                     new_doc: dict[str, Any], detail: dict[str, Any] | None) -> Version:
        assert self.db is not None
        base = self.defaults[org]
        loaded = pack_edit.apply(base, new_doc)  # refuses an invalid edit before anything is stored
        pack_edit.check_buttons(loaded, self.packs.get(org))  # and a button WhatsApp would cut
        doc = pack_edit.prune(new_doc, pack_edit.document(base)) or {}
        text = pack_edit.diff(old_doc, doc, old_name=f"v{expected}", new_name=f"v{expected + 1}")
        stored = await pack_overrides.save(self.db, org=org, expected=expected, author=author, action=action,
                                           document=doc, diff=text, audit_detail=detail)
        await self.swap(org, loaded, stored.version)
        await self.bus.publish(TOPIC, {"org": org, "version": stored.version})
        return stored


def _copy(doc: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a JSON document (the change functions may mutate what they get)."""
    return copy.deepcopy(doc)
