"""Roles and principals: who is calling, and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Principal", "Role"]


class Role(StrEnum):
    """What a token may do; each role includes the ones before it (viewer < operator < admin)."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    def includes(self, other: Role) -> bool:
        """True when this role may do what ``other`` may."""
        order = list(Role)
        return order.index(self) >= order.index(other)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's name and role (``anonymous`` for open reads)."""

    name: str
    role: Role | None

    @property
    def actor(self) -> str:
        """How the audit trail names this caller."""
        return f"token:{self.name}" if self.role else self.name

    def may(self, role: Role) -> bool:
        """True when this caller holds ``role`` or a higher one."""
        return self.role is not None and self.role.includes(role)
