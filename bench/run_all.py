"""`make bench`: every benchmark, each printing its own figures beside a same-run baseline.

1. web chat: Sila (SQLite, durable) vs a bare aiohttp WebSocket echo server and vs Sila before the
   understanding step (same run), 50 and 200 clients
2. FAQ matcher: 10,000 phrasings, our decide() vs rapidfuzz.process.extractOne(WRatio)
3. understanding: understand() per message, uncached, vs the FAQ decision on the same questions
4. abuse: web chat p99 while 30 console sign-ins run vs the quiet p99; RSS after a non-reading flood
5. broadcasts: N SMS recipients, two workers on PostgreSQL + Redis, vs the fake Twilio's known limit
6. policy import: each seed policy imported, vs loading the imported pack and `sila orgs list`
7. scale-out: one worker on PostgreSQL alone vs one and two on PostgreSQL + Redis, 50 and 200
   conversations, with CPU milliseconds per turn
8. associations per worker: resident memory and time to ready for 5, 50 and 200 packs
A benchmark reports; it never asserts. Run it on a quiet machine and quote the ratios.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHES = [
    ("web chat throughput and latency", ["webchat_bench.py"]),
    ("FAQ matcher latency", ["faq_bench.py"]),
    ("understanding step per turn vs the FAQ decision", ["understanding_bench.py"]),
    ("abuse: web chat p99 during 30 sign-ins vs quiet; server memory after a non-reading client's 60 MB",
     ["security_bench.py"]),
    ("broadcast send rate vs a known provider limit (BENCH_BROADCAST_N, default 100,000)", ["broadcast_bench.py"]),
    ("policy import speed (sila orgs import)", ["import_bench.py"]),
    ("scale-out: PostgreSQL alone vs PostgreSQL + Redis, one and two workers", ["scale_bench.py"]),
    ("associations per worker: memory and time to ready for 5, 50 and 200 packs", ["orgs_bench.py"]),
]


def main() -> int:
    failed = 0
    for title, args in BENCHES:
        print(f"\n== {title}", flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]], check=False).returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
