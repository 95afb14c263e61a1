"""ServiceNow-style target: an incident through the Table API (``POST /api/now/table/incident``).

Impact and urgency are the task's own (1…3), so ServiceNow's priority lookup lands on the same
priority the hub computed; ``correlation_id`` is the task's key, so a second notification about
the same task can be matched to the incident on the receiving side.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hub.routing.targets.base import DeliveryReceipt, Notification, TargetContext
from hub.routing.targets.http import json_field, post_json, secret_from_env

__all__ = ["ServiceNowConfig", "ServiceNowTarget"]


class ServiceNowConfig(BaseModel):
    """``kind: servicenow``: instance URL, table, assignment group, basic-auth user."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["servicenow"] = "servicenow"
    url: str
    """Instance base URL, e.g. ``https://acme.example``."""
    table: str = "incident"
    assignment_group: str
    caller_id: str | None = None
    user: str | None = None
    password_env: str | None = None
    timeout: float = 10.0

    def build(self, name: str, context: TargetContext | None = None) -> ServiceNowTarget:
        """The target this config describes (it needs nothing from ``context``)."""
        return ServiceNowTarget(name, self)


class ServiceNowTarget:
    """Table API incident."""

    def __init__(self, name: str, config: ServiceNowConfig) -> None:
        self.name = name
        self.config = config

    def send(self, notification: Notification) -> DeliveryReceipt:
        """Create the incident; the receipt is its ``sys_id`` (or ``number``)."""
        c = self.config
        record = {
            "short_description": notification.title[:160],
            "description": notification.text(),
            "impact": str(notification.impact),
            "urgency": str(notification.urgency),
            "assignment_group": c.assignment_group,
            "correlation_id": notification.correlation_id,
            "correlation_display": "crossdock",
            "category": notification.category,
        }
        if c.caller_id:
            record["caller_id"] = c.caller_id
        password = secret_from_env(self.name, c.password_env)
        auth = (c.user, password) if c.user and password is not None else None
        response = post_json(
            self.name,
            f"{c.url.rstrip('/')}/api/now/table/{c.table}",
            content=json.dumps(record).encode(),
            headers={"Accept": "application/json"},
            timeout=c.timeout,
            auth=auth,
        )
        ref = json_field(response, "result", "sys_id") or json_field(response, "result", "number")
        return DeliveryReceipt(str(ref) if ref is not None else None)
