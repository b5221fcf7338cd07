"""Start real `sila serve` processes for tests and wait until they answer /healthz."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

SILA = str(Path(sys.executable).parent / "sila")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0,
                 output: Callable[[], str] | None = None) -> None:
    """Wait until the server answers /healthz; if it exits or never answers, raise with the tail
    of its output (``output``: how to read it; by default its stderr pipe)."""
    def tail() -> str:
        if output is not None:
            return output()
        return proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr and proc.poll() is not None else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sila serve exited with {proc.returncode}:\n{tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"sila serve did not answer /healthz within {timeout}s:\n{tail()}")


@contextlib.contextmanager
def serve(env: dict[str, str], port: int | None = None) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = port or free_port()
    full_env = {**os.environ, **env}
    proc = subprocess.Popen([SILA, "serve", "--port", str(port)], env=full_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_healthy(port, proc)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stderr:
            tail = proc.stderr.read().decode(errors="replace")[-3000:]
            if "Traceback" in tail:
                print(f"--- server stderr (port {port}) ---\n{tail}")
            proc.stderr.close()
