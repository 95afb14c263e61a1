"""Routing targets, one module each; every config has ``kind`` and ``build(name, context)``."""

from typing import Annotated

from pydantic import Field

from hub.routing.targets.base import DeliveryReceipt, Notification, Target, TargetContext
from hub.routing.targets.chat import ChatConfig, ChatTarget
from hub.routing.targets.jira import JiraConfig, JiraTarget
from hub.routing.targets.memory import MemoryConfig, MemoryTarget
from hub.routing.targets.queue import QueueConfig, QueueTarget
from hub.routing.targets.servicenow import ServiceNowConfig, ServiceNowTarget
from hub.routing.targets.smtp import SmtpConfig, SmtpTarget
from hub.routing.targets.webhook import WebhookConfig, WebhookTarget, sign, verify_signature

TargetConfig = Annotated[
    WebhookConfig
    | QueueConfig
    | ServiceNowConfig
    | JiraConfig
    | SmtpConfig
    | ChatConfig
    | MemoryConfig,
    Field(discriminator="kind"),
]
"""Any target's configuration, told apart by ``kind``."""

__all__ = [
    "ChatConfig",
    "ChatTarget",
    "DeliveryReceipt",
    "JiraConfig",
    "JiraTarget",
    "MemoryConfig",
    "MemoryTarget",
    "Notification",
    "QueueConfig",
    "QueueTarget",
    "ServiceNowConfig",
    "ServiceNowTarget",
    "SmtpConfig",
    "SmtpTarget",
    "Target",
    "TargetConfig",
    "TargetContext",
    "WebhookConfig",
    "WebhookTarget",
    "sign",
    "verify_signature",
]
