"""E-mail target over SMTP (``smtplib``), optionally with STARTTLS and a login."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.routing.errors import TargetRejected, TargetUnavailable
from hub.routing.targets.base import DeliveryReceipt, Notification, TargetContext
from hub.routing.targets.http import secret_from_env

__all__ = ["SmtpConfig", "SmtpTarget"]


class SmtpConfig(BaseModel):
    """``kind: smtp``: server, sender, recipients."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["smtp"] = "smtp"
    host: str = "127.0.0.1"
    port: int = 25
    sender: str
    to: list[str] = Field(min_length=1)
    starttls: bool = False
    user: str | None = None
    password_env: str | None = None
    timeout: float = 10.0

    def build(self, name: str, context: TargetContext | None = None) -> SmtpTarget:
        """The target this config describes (it needs nothing from ``context``)."""
        return SmtpTarget(name, self)


class SmtpTarget:
    """One e-mail per notification."""

    def __init__(self, name: str, config: SmtpConfig) -> None:
        self.name = name
        self.config = config

    def send(self, notification: Notification) -> DeliveryReceipt:
        """Send the mail; 4xx replies and lost connections are retried, 5xx rejections are not."""
        c = self.config
        msg = EmailMessage()
        msg["From"] = c.sender
        msg["To"] = ", ".join(c.to)
        msg["Subject"] = f"[P{notification.priority}] {notification.title}"[:200]
        # the delivery id is stable across retries: receivers and mail filters can drop copies
        msg["Message-ID"] = f"<{notification.delivery_id}@crossdock>"
        msg["X-Crossdock-Task"] = str(notification.task_id)
        msg.set_content(notification.text())
        password = secret_from_env(self.name, c.password_env)
        try:
            with smtplib.SMTP(c.host, c.port, timeout=c.timeout) as smtp:
                if c.starttls:
                    smtp.starttls()
                if c.user and password is not None:
                    smtp.login(c.user, password)
                refused = smtp.send_message(msg)
        except smtplib.SMTPResponseException as exc:
            why = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            if 400 <= exc.smtp_code < 500:
                raise TargetUnavailable(self.name, why) from exc
            raise TargetRejected(self.name, why) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise TargetRejected(self.name, f"recipients refused: {exc.recipients}") from exc
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            raise TargetUnavailable(self.name, f"{c.host}:{c.port}: {exc}") from exc
        except TimeoutError as exc:  # pragma: no cover - OSError above covers it on 3.11+
            raise TargetUnavailable(self.name, f"{c.host}:{c.port}: timeout") from exc
        if refused:
            raise TargetRejected(self.name, f"recipients refused: {sorted(refused)}")
        return DeliveryReceipt(msg["Message-ID"])
