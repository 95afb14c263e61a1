"""Jira-style target: an issue via ``POST /rest/api/2/issue`` (project, type, priority, labels)."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.routing.targets.base import DeliveryReceipt, Notification, TargetContext
from hub.routing.targets.http import json_field, post_json, secret_from_env

__all__ = ["JiraConfig", "JiraTarget"]

_DEFAULT_PRIORITIES = {1: "Highest", 2: "High", 3: "Medium", 4: "Low", 5: "Lowest"}


class JiraConfig(BaseModel):
    """``kind: jira``: site URL, project key, issue type, priority names, labels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["jira"] = "jira"
    url: str
    project: str
    issue_type: str = "Task"
    labels: list[str] = Field(default_factory=list)
    priorities: dict[int, str] = Field(default_factory=lambda: dict(_DEFAULT_PRIORITIES))
    """Hub priority 1…5 → the site's priority names."""
    user: str | None = None
    token_env: str | None = None
    timeout: float = 10.0

    def build(self, name: str, context: TargetContext | None = None) -> JiraTarget:
        """The target this config describes (it needs nothing from ``context``)."""
        return JiraTarget(name, self)


class JiraTarget:
    """Jira issue."""

    def __init__(self, name: str, config: JiraConfig) -> None:
        self.name = name
        self.config = config

    def send(self, notification: Notification) -> DeliveryReceipt:
        """Create the issue; the receipt is its key (e.g. ``OPS-12``)."""
        c = self.config
        labels = [*c.labels, notification.category, f"crossdock-task-{notification.task_id}"]
        fields = {
            "project": {"key": c.project},
            "issuetype": {"name": c.issue_type},
            "summary": notification.title[:250],
            "description": notification.text(),
            "priority": {"name": c.priorities.get(notification.priority, "Medium")},
            "labels": labels,
        }
        token = secret_from_env(self.name, c.token_env)
        auth = (c.user, token) if c.user and token is not None else None
        response = post_json(
            self.name,
            f"{c.url.rstrip('/')}/rest/api/2/issue",
            content=json.dumps({"fields": fields}).encode(),
            headers={"Accept": "application/json"},
            timeout=c.timeout,
            auth=auth,
        )
        key = json_field(response, "key")
        return DeliveryReceipt(str(key) if key is not None else None)
