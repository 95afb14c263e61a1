"""Recurring maintenance windows: is one open at a given time, and until when?

Weekly windows in a named timezone (store closing hours, the ERP's nightly batch). A window whose
``end`` is not after its ``start`` runs past midnight, so ``22:00``–``06:00`` on ``mon`` covers
Monday night into Tuesday morning. Times are computed in the window's zone, so a window keeps its
wall-clock hours across daylight-saving changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hub.routing.rules import MaintenanceWindow

__all__ = ["window_end"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def window_end(window: MaintenanceWindow, at: datetime) -> datetime | None:
    """When the occurrence of ``window`` open at ``at`` ends (UTC), or None when none is open."""
    zone = _zone(window.timezone)
    local = at.astimezone(zone)
    overnight = window.end <= window.start
    for back in (0, 1):
        day = local.date() - timedelta(days=back)
        if _DAYS[day.weekday()] not in window.days:
            continue
        start = datetime.combine(day, window.start, zone)
        end_day = day + timedelta(days=1) if overnight else day
        end = datetime.combine(end_day, window.end, zone)
        if start <= local < end:
            return end.astimezone(UTC)
    return None
