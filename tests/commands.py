"""Running the `sila` command as a person would, for the tests of its contracts."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

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


class Chat:
    """A `sila chat --json` process spoken to one line at a time, on SQLite in ``data_dir``
    (``orgs``: another packs folder, e.g. freshly imported ones)."""

    def __init__(self, org: str, user: str, data_dir: Path, *, orgs: Path | None = None) -> None:
        env = {**os.environ, "SILA_DATA_DIR": str(data_dir), "SILA_SQLITE_SYNCHRONOUS": "NORMAL"}
        env.pop("SILA_DATABASE_URL", None)
        env.pop("SILA_REDIS_URL", None)
        if orgs is not None:
            env["SILA_ORGS_DIR"] = str(orgs)
        self.proc = subprocess.Popen(
            [SILA, "chat", "--org", org, "--user", user, "--json"], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )

    def send(self, line: str) -> list[dict[str, Any]]:
        """One message (or ``/button VALUE``); the reply frames of its turn."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        out = []
        while True:
            raw = self.proc.stdout.readline()
            assert raw, "sila chat exited"
            frame = json.loads(raw)
            if frame["type"] == "turn_end":
                return out
            out.append(frame)

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        assert self.proc.wait(30) == 0


def expect_of(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What the conversation waits for after these replies (the last ``expect``), if anything."""
    return next((r["expect"] for r in reversed(replies) if r.get("expect")), None)
