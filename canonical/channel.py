"""Sales channels an order or a return comes through."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """Where the customer dealt with the retailer."""

    STORE = "store"
    WEB = "web"
    MARKETPLACE = "marketplace"
    B2B = "b2b"
