"""``python -m bot.faq.index_builder``: build FAQ indexes into the store, in a process of its own.

A worker's first start (or one after a release that changes how indexes are built) has every
association's index to build, about 0.1 s each in Python. The worker builds those it keeps in
memory before it is ready, and hands the others (``bot.faq.org.warm``) to one or more of these
processes: ``python -m bot.faq.index_builder DIRECTORY``, one JSON line per index on its
standard input (``BuildJob``, from ``bot.faq.org.builder_line``). A builder runs at a lower
priority than the worker, competes for no GIL with it, imports the FAQ package only (not the
server) and takes the build's short-lived allocations with it when it exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TypedDict

from bot.faq.index import Doc, FaqIndex
from bot.faq.index_store import IndexStore
from bot.faq.org import foreign_programmes

__all__ = ["BuildJob", "build_and_store", "main"]


class BuildJob(TypedDict):
    """What one association's index is built from (``bot.faq.org``), as JSON."""

    key: str
    docs: list[tuple[str, str, bool]]
    texts: list[str]
    pooled: dict[str, str]
    questions: list[str]


def build_and_store(directory: Path, job: BuildJob) -> None:
    docs = [Doc.from_row(row) for row in job["docs"]]
    index = FaqIndex(docs, vocabulary_texts=job["texts"], topic_texts=job["pooled"])
    IndexStore(directory).save(job["key"], index, foreign_programmes(job["texts"], job["questions"]))


def main() -> int:
    with contextlib.suppress(OSError):
        os.nice(10)  # the worker's turns first
    directory = Path(sys.argv[1])
    for line in sys.stdin.buffer:
        if line.strip():
            build_and_store(directory, json.loads(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
