"""Web chat load: N concurrent conversations, each sending its next message when its reply arrives.

Prints msgs/s, p50/p99 reply latency (send → turn_end) and the server's peak RSS, for Sila on
SQLite (every message and reply durably stored) and, in the same run, for a bare aiohttp echo
server (the ceiling), with the ratio, and for the same server at the commit before the
understanding step (``BENCH_BASELINE_REV``, issue 13's "within 10% of before"), with the ratios of
throughput and of CPU per turn (the steadier of the two on a shared machine). A benchmark, not a
test: it asserts nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
SILA = str(Path(sys.executable).parent / "sila")
def _questions() -> list[str]:
    """Every held-out evaluation question for Amass (73 distinct phrasings, all registers)."""
    path = ROOT / "tests" / "eval" / "faq_eval.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["q"] for r in rows if r["org"] == "amass"]


QUESTIONS = _questions()


#: BENCH_MODE=buttons sends menu presses only: the storage and socket path without the FAQ matcher
BUTTONS_ONLY = os.environ.get("BENCH_MODE") == "buttons"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def wait_healthy(port: int, proc: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as s:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError("server exited during start-up")
            try:
                async with s.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not become healthy")


async def client(session: aiohttp.ClientSession, url: str, stop_at: float, warm_until: float,
                 latencies: list[float], counter: list[int], failures: Counter[str],
                 last_done: list[float]) -> None:
    """One conversation: ask, wait for ``turn_end``, ask again. An error frame (``unavailable``)
    is counted as a failure, not an answer; a turn with no answer within 5 s after the end of
    the run is counted as ``stalled`` (a reply that never reached the socket). Every turn sent
    and every turn ended (its ``turn_end`` arrived), warm-up included, is counted in
    ``failures["sent"]`` and ``failures["ended"]``; a socket that could not open, in ``"refused"``."""
    try:
        ws_cm = await session.ws_connect(f"{url}?visitor={secrets.token_hex(16)}")
    except (aiohttp.ClientError, OSError):
        failures["refused"] += 1
        return
    async with ws_cm as ws:
        i = 0
        while time.perf_counter() < stop_at:
            if BUTTONS_ONLY:
                frame = {"type": "button", "value": "menu"}
            else:
                frame = {"type": "message", "text": QUESTIONS[i % len(QUESTIONS)]}
            i += 1
            t0 = time.perf_counter()
            await ws.send_str(json.dumps(frame))
            failures["sent"] += 1
            answered = True
            try:
                async with asyncio.timeout(max(5.0, stop_at - time.perf_counter() + 5.0)):
                    while True:
                        msg = await ws.receive()
                        if msg.type != aiohttp.WSMsgType.TEXT:
                            raise RuntimeError(f"socket closed: {msg.type}")
                        if '"turn_end"' in msg.data:
                            failures["ended"] += 1
                            break
                        if '"type":"error"' in msg.data:
                            failures["error"] += 1
                            answered = False
                            break
            except TimeoutError:
                failures["stalled"] += 1
                return
            if answered and t0 >= warm_until:
                last_done[0] = time.perf_counter()
                latencies.append(last_done[0] - t0)
                counter[0] += 1


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat, fields 14 and 15)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (/proc/stat), every core together."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return (0, 0)
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields) - idle, sum(fields))


async def run_load(port: int | list[int], path: str, clients: int, seconds: float, warmup: float = 2.0,
                   pids: Sequence[int] = ()) -> dict[str, float]:
    """Drive ``clients`` conversations; with several ports, clients are spread over them in turn
    (a round-robin balancer without the balancer). ``pids``: servers whose CPU time is counted
    over the measured window (after warm-up), reported per answered turn."""
    ports = [port] if isinstance(port, int) else list(port)
    latencies: list[float] = []
    counter = [0]
    last_done = [0.0]
    failures: Counter[str] = Counter()
    cpu: dict[str, float] = {}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        warm_until = start + warmup
        stop_at = warm_until + seconds

        async def sample_cpu() -> None:
            await asyncio.sleep(max(0.0, warm_until - time.perf_counter()))
            cpu["start"] = sum(cpu_seconds(p) for p in pids)
            busy0, total0 = machine_ticks()
            await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
            cpu["stop"] = sum(cpu_seconds(p) for p in pids)
            busy1, total1 = machine_ticks()
            cpu["machine_busy"] = (busy1 - busy0) / (total1 - total0) if total1 > total0 else float("nan")

        sampler = asyncio.get_running_loop().create_task(sample_cpu())
        await asyncio.gather(*(client(session, f"http://127.0.0.1:{ports[i % len(ports)]}{path}", stop_at,
                                      warm_until, latencies, counter, failures, last_done)
                               for i in range(clients)))
        await sampler
        # up to the last answer counted (not the end of a stalled client's 5 s wait)
        elapsed = max(stop_at, last_done[0]) - warm_until
    latencies.sort()
    n = len(latencies)
    return {
        "msgs_per_s": counter[0] / elapsed,
        "p50_ms": latencies[n // 2] * 1000 if n else float("nan"),
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan"),
        "cpu_ms_per_turn": (cpu["stop"] - cpu["start"]) * 1000 / counter[0] if counter[0] and pids else float("nan"),
        "stalled": float(failures["stalled"]),
        "errors": float(failures["error"]),
        # the whole machine's cores busy over the measured window (other work on it included)
        "machine_busy": cpu.get("machine_busy", float("nan")),
        "refused": float(failures["refused"]),
        "sent": float(failures["sent"]),
        "ended": float(failures["ended"]),
    }


def start(cmd: list[str], env: dict[str, str], log_path: str | None = None) -> subprocess.Popen[bytes]:
    """Start a server with its stderr in a file: a pipe nobody reads fills up (64 KB of warnings)
    and then blocks the server's every log call, which would measure the pipe, not the server."""
    log = open(log_path or os.devnull, "ab")  # the child keeps its own descriptor
    try:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
    finally:
        log.close()


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    sync = os.environ.get("BENCH_SQLITE_SYNCHRONOUS", "FULL")
    results: dict[str, dict[int, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SILA_DATA_DIR": tmp, "SILA_SQLITE_SYNCHRONOUS": sync,
               "SILA_WS_RATE_PER_10S": "100000", "SILA_WS_SOCKETS_PER_ADDRESS": "100000"}
        env.pop("SILA_DATABASE_URL", None)
        env.pop("SILA_REDIS_URL", None)
        subprocess.run([SILA, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        targets = [
            ("echo (ceiling)", lambda p: [sys.executable, str(ROOT / "bench" / "echo_server.py"), str(p)]),
            (f"sila (SQLite, synchronous={sync})", lambda p: [SILA, "serve", "--port", str(p)]),
        ]
        if os.environ.get("BENCH_EXTRA_SERVER"):  # e.g. an experimental variant, for comparisons
            extra = os.environ["BENCH_EXTRA_SERVER"]
            targets.append((f"extra: {Path(extra).name}", lambda p: [sys.executable, extra, str(p)]))
        envs = {name: env for name, _ in targets}
        baseline = baseline_server(BASELINE_REV, Path(tmp), env)
        if baseline is not None:
            targets.append(baseline[0])
            envs[baseline[0][0]] = baseline[1]
        for name, cmd_for in targets:
            results[name] = {}
            for clients in (50, 200):
                port = free_port()
                proc = start(cmd_for(port), envs[name], str(Path(tmp) / "server.log"))
                try:
                    await wait_healthy(port, proc)
                    r = await run_load(port, "/chat/amass/ws", clients, seconds, pids=[proc.pid])
                    r["peak_rss_mb"] = peak_rss_mb(proc.pid)
                    results[name][clients] = r
                finally:
                    stop(proc)
                print(f"{name:34s} {clients:4d} clients: {r['msgs_per_s']:9.0f} msgs/s  "
                      f"p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
                      f"CPU {r['cpu_ms_per_turn']:5.2f} ms/turn  peak RSS {r['peak_rss_mb']:6.1f} MB",
                      flush=True)
    names = list(results)
    for clients in (50, 200):
        ceiling = results[names[0]][clients]["msgs_per_s"]
        ours = results[names[1]][clients]
        print(f"ratio sila/echo at {clients} clients: {ours['msgs_per_s'] / ceiling:.2f}")
        if baseline is not None:
            before = results[names[-1]][clients]
            print(f"ratio sila now/before ({BASELINE_REV}) at {clients} clients: throughput "
                  f"{ours['msgs_per_s'] / before['msgs_per_s']:.2f}, CPU per turn "
                  f"{ours['cpu_ms_per_turn'] / before['cpu_ms_per_turn']:.2f}")


#: "before" for issue 13's budget (web chat throughput within 10% of before the understanding
#: step): the commit preceding it. BENCH_BASELINE_REV picks another; "" skips the comparison.
BASELINE_REV = os.environ.get("BENCH_BASELINE_REV", "8a5d302^")


def baseline_server(rev: str, tmp: Path, env: dict[str, str]) -> tuple[tuple[str, Any], dict[str, str]] | None:
    """The same server at an earlier commit, run from an exported copy of that commit's tree
    with this virtualenv (its modules first on the path), on its own SQLite database.

    Why in the same run: throughput on a shared machine moves by tens of percent between runs,
    so "within 10% of before" means anything only beside a baseline measured minutes apart.
    """
    if not rev:
        return None
    tree = tmp / "baseline"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=False)
    if archive.returncode != 0:
        print(f"(no baseline: git archive {rev} failed: {archive.stderr.decode().strip()[:120]})")
        return None
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    data = tmp / "baseline-data"
    data.mkdir()
    old_env = {**env, "SILA_DATA_DIR": str(data), "PYTHONPATH": str(tree), "SILA_ORGS_DIR": str(tree / "orgs")}
    launcher = ["-c", "import sys; sys.argv[0] = 'sila'; from app.cli import main; sys.exit(main())"]
    done = subprocess.run([sys.executable, *launcher, "migrate"], env=old_env, cwd=tree, capture_output=True,
                          check=False)
    if done.returncode != 0:
        print(f"(no baseline: {rev} would not migrate: {done.stderr.decode().strip()[-160:]})")
        return None
    label = f"sila before ({rev})"
    return (label, lambda p: [sys.executable, *launcher, "serve", "--port", str(p)]), old_env


if __name__ == "__main__":
    asyncio.run(main())
