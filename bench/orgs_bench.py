"""Many associations in one worker: resident memory and time to ready for 5, 50 and 200 packs.

Packs are the five in ``orgs/`` copied under new slugs into a temporary ``SILA_ORGS_DIR``
(same content, so every association costs what a real one does). For each count, one
``sila serve`` on SQLite is started and timed until ``/readyz`` answers 200 (database up and
every FAQ index built, as a load balancer would wait), then its resident memory is read. The
growth per association is the slope between counts, against the 5-pack worker of the same run.
Targets (issue 15): 50 packs within 400 MB and ready within 10 s.
A benchmark, not a test: it asserts nothing.

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


def one(count: int, tmp: Path, limit: int = 0) -> tuple[float, float]:
    """(seconds to ready, RSS once ready)."""
    orgs = tmp / f"orgs-{count}"
    if not orgs.exists():
        make_packs(orgs, count)
    data = tmp / f"data-{count}-{limit}"
    env = {**os.environ, "SILA_ORGS_DIR": str(orgs), "SILA_DATA_DIR": str(data), "SILA_FAQ_MAX_INDEXES": str(limit)}
    env.pop("SILA_DATABASE_URL", None)
    env.pop("SILA_REDIS_URL", None)
    subprocess.run([SILA, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    t0 = time.perf_counter()
    proc = start([SILA, "serve", "--port", str(port)], env, str(tmp / f"serve-{count}.log"))
    try:
        while not ready(port):
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: see {tmp / f'serve-{count}.log'}")
            time.sleep(0.05)
        return time.perf_counter() - t0, rss_mb(proc.pid)
    finally:
        stop(proc)


def main() -> None:
    counts = [int(c) for c in os.environ.get("BENCH_ORG_COUNTS", "5,50,200").split(",")]
    limit = int(os.environ.get("BENCH_ORG_LIMIT", "20"))
    with tempfile.TemporaryDirectory() as tmp:
        for cap in (0, limit) if limit else (0,):
            label = "every index built" if not cap else f"SILA_FAQ_MAX_INDEXES={cap}"
            results: dict[int, tuple[float, float]] = {}
            for count in counts:
                results[count] = one(count, Path(tmp), cap)
                took, resident = results[count]
                print(f"{label:26s} {count:4d} associations: ready in {took:5.1f} s, RSS {resident:6.0f} MB",
                      flush=True)
            base = counts[0]
            for count in counts[1:]:
                per = (results[count][1] - results[base][1]) / (count - base)
                print(f"{label:26s} growth per association {base}→{count}: {per:5.2f} MB, "
                      f"{(results[count][0] - results[base][0]) / (count - base) * 1000:4.0f} ms to ready")


if __name__ == "__main__":
    main()
