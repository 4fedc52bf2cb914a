"""Classroom Console core: room, sessions, store, CLI. Runs headless; never imports Qt."""

__version__ = "0.1.0"
