"""Running the `sila` command as a person would, for the tests of its contracts."""

from __future__ import annotations

import os
import subprocess

from tests.servers import SILA


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("SILA_")}
    full.update(env or {})
    return subprocess.run([SILA, *args], env=full, input=stdin, capture_output=True, text=True, timeout=120)


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]
