"""Many associations in one worker: resident memory and time to ready for 5, 50 and 200 packs.

Packs are the five in ``orgs/`` copied under new slugs into a temporary ``SILA_ORGS_DIR``
(same content, so every association costs what a real one does; each copy has its own slug,
code and English name, so its FAQ index is its own, not one another copy already stored). For
each count, one ``sila serve`` on SQLite with the default settings is started and timed until
``/readyz`` answers 200 (database up, the FAQ indexes that fit in memory built, every other
one on disk or being built by a background process, as a load balancer would wait), then its
resident memory is read, and the time until every index is on disk. Twice: a first start on an empty
``SILA_DATA_DIR`` (every index built and stored, as after a release that changes how indexes
are built) and a restart on the same directory (indexes loaded). The growth per association
is the slope between counts, against the smallest count of the same run. Then, in this
process, the first question to an association whose index is only on disk (evicted), against
one built anew and one in memory.
Targets (issue 15): 50 packs within 400 MB and ready within 10 s.
A benchmark, not a test: it asserts nothing. About a minute and a half on two cores;
``BENCH_QUICK=1`` skips 200 packs; ``BENCH_KEEP_FAQ_SETTINGS=1`` keeps SILA_FAQ_BUILD_PROCESSES
from the environment (the other FAQ settings are always the defaults).

    BENCH_ORG_COUNTS=5,50,200 .venv/bin/python bench/orgs_bench.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SILA = str(Path(sys.executable).parent / "sila")
sys.path.insert(0, str(ROOT / "bench"))

from webchat_bench import free_port, start, stop  # noqa: E402


def make_packs(dest: Path, count: int) -> None:
    """``count`` packs: the shipped five, then copies of them as ``<slug>-cN`` (code ``[A-Z]{3}``)."""
    sources = sorted(p for p in (ROOT / "orgs").iterdir() if (p / "pack.yaml").exists())
    for i in range(count):
        src = sources[i % len(sources)]
        n = i // len(sources)
        slug = src.name if n == 0 else f"{src.name}-c{n}"
        target = dest / slug
        shutil.copytree(src, target)
        if n:
            text = (target / "pack.yaml").read_text(encoding="utf-8")
            text = re.sub(r"(?m)^slug: .*$", f"slug: {slug}", text, count=1)
            code = "".join(chr(65 + (n * 7 + i + k) % 26) for k in range(3))
            text = re.sub(r"(?m)^code: .*$", f"code: {code}", text, count=1)
            # a name of its own (as every real association has), so its index is its own too
            text = re.sub(r"(?m)^(name:\n  ar: .*\n  en: .*)$", rf"\1 – branch {n}", text, count=1)
            (target / "pack.yaml").write_text(text, encoding="utf-8")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def one(count: int, tmp: Path, start_kind: str) -> tuple[float, float, float]:
    """(seconds to ready, RSS once ready, seconds until every index is stored) of a worker with
    ``count`` associations; ``start_kind`` "first" starts on an empty data directory, "restart"
    on the one the first start left."""
    orgs = tmp / f"orgs-{count}"
    if not orgs.exists():
        make_packs(orgs, count)
    data = tmp / f"data-{count}"
    if start_kind == "first":
        shutil.rmtree(data, ignore_errors=True)
    env = {**os.environ, "SILA_ORGS_DIR": str(orgs), "SILA_DATA_DIR": str(data)}
    for name in ("SILA_DATABASE_URL", "SILA_REDIS_URL", "SILA_FAQ_MAX_INDEXES", "SILA_FAQ_INDEX_MEMORY_MB",
                 *([] if os.environ.get("BENCH_KEEP_FAQ_SETTINGS") else ["SILA_FAQ_BUILD_PROCESSES"])):
        env.pop(name, None)
    if start_kind == "first":
        subprocess.run([SILA, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    t0 = time.perf_counter()
    proc = start([SILA, "serve", "--port", str(port)], env, str(tmp / f"serve-{count}.log"))
    try:
        while not ready(port):
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: see {tmp / f'serve-{count}.log'}")
            time.sleep(0.05)
        took, resident = time.perf_counter() - t0, rss_mb(proc.pid)
        # the indexes a first start keeps out of memory are built by a background process
        while len(list((data / "faq-indexes").glob("*.npz"))) < count and time.perf_counter() - t0 < 300:
            time.sleep(0.1)
        return took, resident, time.perf_counter() - t0
    finally:
        stop(proc)


def cold_question(tmp: Path) -> None:
    """Time the first question to an association whose index was evicted: loaded from the
    store, against built anew (no store) and already in memory; the decisions must agree."""
    from bot.faq.decide import decide_with
    from bot.faq.org import get_index, set_index_limit, set_index_store
    from bot.packs import load_all

    packs = load_all()
    a, b = packs["amass"], packs["rida"]
    question = "كم مدة دراسة الطلب"
    timings: dict[str, list[float]] = {"in memory": [], "loaded from disk": [], "built (no store)": []}
    decisions = set()
    set_index_limit(1)
    try:
        for store in (tmp / "cold-store", None):
            set_index_store(store)
            get_index(b)
            get_index(a)  # built once (and stored, when there is a store)
            for _ in range(5):
                get_index(b)  # evicts a
                t0 = time.perf_counter()
                decisions.add(decide_with(get_index(a), question))
                timings["loaded from disk" if store else "built (no store)"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                decisions.add(decide_with(get_index(a), question))
                timings["in memory"].append(time.perf_counter() - t0)
    finally:
        set_index_limit(0)
        set_index_store(None)
    for label, values in timings.items():
        ms = sorted(v * 1000 for v in values)
        print(f"first question to an idle association, index {label:17s}: {ms[0]:6.1f}–{ms[-1]:6.1f} ms "
              f"(median {ms[len(ms) // 2]:.1f})")
    print(f"  same decision every time: {len(decisions) == 1}")


def main() -> None:
    quick = os.environ.get("BENCH_QUICK") == "1"
    counts = [int(c) for c in os.environ.get("BENCH_ORG_COUNTS", "5,50" if quick else "5,50,200").split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for kind, label in (("first", "first start (build+store)"), ("restart", "restart (load)")):
            results: dict[int, tuple[float, float, float]] = {}
            for count in counts:
                results[count] = one(count, Path(tmp), kind)
                took, resident, stored = results[count]
                print(f"{label:26s} {count:4d} associations: ready in {took:5.1f} s, RSS {resident:6.0f} MB, "
                      f"every index stored after {stored:5.1f} s", flush=True)
            base = counts[0]
            for count in counts[1:]:
                per = (results[count][1] - results[base][1]) / (count - base)
                print(f"{label:26s} growth per association {base}→{count}: {per:5.2f} MB, "
                      f"{(results[count][0] - results[base][0]) / (count - base) * 1000:4.0f} ms to ready")
        cold_question(Path(tmp))


if __name__ == "__main__":
    main()
