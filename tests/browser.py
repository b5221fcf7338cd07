"""Helpers for the web chat tests: a real ``sila serve`` subprocess and Debian's headless Chromium.

``SilaServer`` starts the server on a free loopback port with its own data directory and waits
for ``/healthz``; ``chromium_or_skip`` skips a browser test with a reason when
``/usr/bin/chromium`` is missing (and fails instead when ``SILA_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from tests.servers import SILA, free_port, wait_healthy

CHROMIUM = os.environ.get("SILA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
#: the sizes screens are checked and photographed at: a current phone and a laptop
PHONE_390 = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
#: screenshots kept as test artefacts (gitignored with the rest of var/)
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def shot(page: Any, name: str) -> Path:
    """Save a screenshot of ``page`` under ``var/screenshots/NAME.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled")
    return path


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two CSS ``rgb(…)``/``rgba(…)`` colours as getComputedStyle gives them."""
    def lum(css: str) -> float:
        parts = [float(x) for x in css[css.index("(") + 1:css.index(")")].replace("/", ",").split(",")[:3]]
        lin = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def chromium_or_skip() -> str:
    """The Chromium binary, or skip (fail under SILA_REQUIRE_SERVICES=1) when it is not installed."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("SILA_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " — required in CI (SILA_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


@contextlib.contextmanager
def launched_chromium(*extra_args: str) -> Iterator[Any]:
    """Debian's Chromium, headless, driven by playwright-core (skips with the reason where it
    is missing, fails under CI); ``extra_args`` beyond the shared ``CHROMIUM_ARGS``."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=[*CHROMIUM_ARGS, *extra_args], headless=True)
        try:
            yield b
        finally:
            b.close()


class SilaServer:
    """``sila serve`` on 127.0.0.1:<free port> with a private SQLite data directory."""

    def __init__(self, data_dir: Path, *, env: dict[str, str] | None = None, timeout: float = 30.0) -> None:
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.timeout = timeout
        self.log_path = self.data_dir / "server.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SILA_")}
        self.env.update({"SILA_DATA_DIR": str(self.data_dir), "SILA_SQLITE_SYNCHRONOUS": "NORMAL"})
        for key in ("SILA_DATA_KEY", "SILA_SECRET_KEY", "SILA_FAQ_INDEX_DIR"):
            if key in os.environ:
                self.env[key] = os.environ[key]
        self.env.update(env or {})
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SilaServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        self._log = log
        self.proc = subprocess.Popen(
            [SILA, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(self.port, self.proc, self.timeout, output=self.log)
        except RuntimeError:
            self.stop()
            raise
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self) -> SilaServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


#: the console password of every account the page tests create
CONSOLE_PASSWORD = "correct horse battery"


def console_server(data_dir: Path, staff: list[tuple[str, str, str, str, list[str]]]) -> SilaServer:
    """A migrated server (not yet started) with console accounts: (email, name, role, orgs, extra flags)."""
    srv = SilaServer(data_dir)
    srv.data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SILA, "migrate"], env=srv.env, check=True, capture_output=True)
    for email, name, role, orgs, extra in staff:
        done = subprocess.run([SILA, "staff", "add", "--email", email, "--name", name, "--role", role, "--org", orgs,
                               *extra], env=srv.env, input=CONSOLE_PASSWORD + "\n", text=True, capture_output=True)
        assert done.returncode == 0, done.stderr
    return srv
