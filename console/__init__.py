"""The staff console: officers take over conversations, move cases, read the satisfaction report."""

from __future__ import annotations

from console.setup import setup_console

__all__ = ["setup_console"]
