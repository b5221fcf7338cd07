"""Which version of a conversation's state the lock holder found, and which it leaves behind.

Why: with several workers a worker may cache a conversation's state only if it can tell, when it
next takes that conversation's lock, that nobody changed the state since. The Redis lock does
that in the same round trip that takes it: it hands back the *version* the last holder left and
deletes it, so a holder that dies or fails mid-turn leaves no version at all (the next holder
reads the database). The holder leaves a version only when it knows the state it caches is
exactly what is committed: after its commit, or after reading it from the database unchanged.

The lock and the store meet here, not through each other: the lock records a :class:`Hold` in a
context variable of the task that holds it; the store, called by that same task, reads it.
A read from another task (a socket's history, outside the lock) finds no hold and goes to the
database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class Hold:
    #: the conversation's lock name
    name: str
    #: the version the previous holder left (None: unknown, read the database)
    observed: str | None
    #: the version this holder leaves on release (None: leave none)
    leave: str | None = None


_HOLDS: ContextVar[tuple[Hold, ...]] = ContextVar("sila_state_holds", default=())


def current(name: str) -> Hold | None:
    """The hold on ``name`` taken by the calling task, if any."""
    for hold in _HOLDS.get():
        if hold.name == name:
            return hold
    return None


@contextlib.contextmanager
def holding(hold: Hold) -> Iterator[Hold]:
    token = _HOLDS.set((*_HOLDS.get(), hold))
    try:
        yield hold
    finally:
        _HOLDS.reset(token)
