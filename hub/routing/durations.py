"""Durations in rules files: :mod:`hub.durations` (moved there so that the hub's configuration
reads the same spellings without importing routing)."""

from __future__ import annotations

from hub.durations import Duration, parse_duration

__all__ = ["Duration", "parse_duration"]
