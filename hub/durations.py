"""Durations as rules files and crossdock.yaml write them: ``90s``, ``5m``, ``4h``, ``2d``,
``1w``, or ISO 8601 (``PT4H``)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator

__all__ = ["Duration", "parse_duration"]

_SHORT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> Any:
    """``"4h"`` → ``timedelta(hours=4)``; anything else is left to pydantic (ISO 8601, seconds)."""
    if isinstance(value, str):
        match = _SHORT.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
"""A span of time from a rules file or crossdock.yaml."""
