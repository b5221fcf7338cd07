"""Wiring: opens the database, Redis and the engine from settings, for channels, console and CLI."""
