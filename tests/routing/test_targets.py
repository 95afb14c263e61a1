"""Targets against real local servers: retried while down, delivered once, else dead-lettered."""

from __future__ import annotations

import email
import os
import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from hub.deadletter import DeadLetterService
from hub.retry import RetryPolicy
from hub.routing.dispatcher import Dispatcher
from hub.routing.errors import TargetUnavailable
from hub.routing.loader import load_engine
from hub.routing.router import Router
from hub.routing.targets import (
    ChatConfig,
    DeliveryReceipt,
    JiraConfig,
    Notification,
    ServiceNowConfig,
    SmtpConfig,
    Target,
    WebhookConfig,
    verify_signature,
)
from hub.routing.tasks import list_tasks, task_detail
from tests.routing.conftest import FAST, Clock
from tests.routing.events import invoice
from tests.routing.servers import MailHandler, Receiver, serve_http, serve_smtp

SECRET_ENV = "CROSSDOCK_TEST_WEBHOOK_SECRET"


@pytest.fixture(autouse=True)
def _webhook_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "s3cret")


def _route_invoice(db: Engine, clock: Clock, target: Target) -> tuple[Dispatcher, int]:
    """Route one mismatched invoice whose accounts-payable target is ``target``; tick once."""
    router = Router(db, load_engine(), clock=clock)
    dispatcher = Dispatcher(router, target_overrides={"accounts-payable": target}, policy=FAST)
    outcome = router.route(invoice("INV-1", "9.00", clock()))
    [task_id] = outcome.opened
    dispatcher.tick()
    return dispatcher, task_id


def _delivery(db: Engine, task_id: int) -> dict[str, object]:
    [delivery] = task_detail(db, task_id)["deliveries"]
    return delivery


def test_webhook_down_for_a_while_is_retried_and_delivered_once_signed(
    db: Engine, clock: Clock
) -> None:
    receiver = Receiver(fail_first=2)
    with serve_http(receiver.app()) as url:
        target = WebhookConfig(url=f"{url}/hooks/ap", secret_env=SECRET_ENV).build("ap")
        _, task_id = _route_invoice(db, clock, target)
    [accepted] = receiver.accepted
    assert receiver.attempts == 3
    body = accepted["body"]
    headers = accepted["headers"]
    assert verify_signature(
        "s3cret", headers["x-crossdock-timestamp"], body, headers["x-crossdock-signature"]
    )
    assert not verify_signature(
        "other", headers["x-crossdock-timestamp"], body, headers["x-crossdock-signature"]
    )
    assert accepted["json"]["task_id"] == task_id
    assert accepted["json"]["category"] == "invoice_mismatch"
    delivery = _delivery(db, task_id)
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 3
    assert headers["idempotency-key"] == f"crossdock-delivery-{delivery['id']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _RefusedTwice:
    """Wraps a target; sets ``refused`` once two sends found nobody listening."""

    def __init__(self, inner: Target) -> None:
        self.name = inner.name
        self.inner = inner
        self.failures = 0
        self.refused = threading.Event()

    def send(self, notification: Notification) -> DeliveryReceipt:
        try:
            return self.inner.send(notification)
        except TargetUnavailable:
            self.failures += 1
            if self.failures >= 2:
                self.refused.set()
            raise


def test_webhook_server_not_listening_at_first_gets_the_delivery_once_it_starts(
    db: Engine, clock: Clock
) -> None:
    receiver = Receiver()
    port = _free_port()
    target = _RefusedTwice(WebhookConfig(url=f"http://127.0.0.1:{port}/ap").build("ap"))
    stop = threading.Event()

    def late_server() -> None:
        # connection refused until the target has been turned away twice
        if target.refused.wait(timeout=60):
            with serve_http(receiver.app(), port=port):
                stop.wait(timeout=60)

    thread = threading.Thread(target=late_server, daemon=True)
    thread.start()
    try:
        patient = RetryPolicy(max_attempts=300, initial_wait=0.05, max_wait=0.2, jitter=0.0)
        router = Router(db, load_engine(), clock=clock)
        dispatcher = Dispatcher(
            router, target_overrides={"accounts-payable": target}, policy=patient
        )
        [task_id] = router.route(invoice("INV-2", "9.00", clock())).opened
        dispatcher.tick()
    finally:
        stop.set()
        thread.join(timeout=15)
    assert target.failures >= 2
    assert len(receiver.accepted) == 1
    delivery = _delivery(db, task_id)
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == target.failures + 1


def test_webhook_down_for_good_becomes_a_dead_letter_at_stage_deliver(
    db: Engine, clock: Clock
) -> None:
    receiver = Receiver(fail_first=10**6)
    with serve_http(receiver.app()) as url:
        target = WebhookConfig(url=f"{url}/ap").build("ap")
        _, task_id = _route_invoice(db, clock, target)
    assert receiver.attempts == FAST.max_attempts
    assert _delivery(db, task_id)["status"] == "dead"
    [letter] = DeadLetterService(db).list(stage="deliver")
    assert letter.connector == "routing:accounts-payable"
    assert letter.attempts == FAST.max_attempts
    assert b'"invoice_mismatch"' in letter.payload
    assert letter.failure_type == "transient"


def test_a_rejected_notification_is_dead_lettered_without_retrying(
    db: Engine, clock: Clock
) -> None:
    receiver = Receiver(fail_first=10**6, fail_status=400)
    with serve_http(receiver.app()) as url:
        _, task_id = _route_invoice(db, clock, ChatConfig(url=f"{url}/chat").build("ap"))
    assert receiver.attempts == 1
    [letter] = DeadLetterService(db).list(stage="deliver")
    assert "HTTP 400" in letter.reason
    assert letter.context["task_id"] == task_id


def test_servicenow_incident_carries_impact_urgency_group_and_correlation_id(
    db: Engine, clock: Clock
) -> None:
    receiver = Receiver(fail_first=1)
    with serve_http(receiver.app()) as url:
        config = ServiceNowConfig(url=url, assignment_group="AP Team")
        _, task_id = _route_invoice(db, clock, config.build("ap"))
    [accepted] = receiver.accepted
    assert accepted["path"] == "/api/now/table/incident"
    record = accepted["json"]
    [task] = list_tasks(db, states=["open"])
    assert record["impact"] == str(task["impact"])
    assert record["urgency"] == str(task["urgency"])
    assert record["assignment_group"] == "AP Team"
    assert record["correlation_id"] == f"crossdock-task-{task_id}"
    assert _delivery(db, task_id)["receipt"] == "sys-1"


def test_jira_issue_carries_project_type_priority_and_labels(db: Engine, clock: Clock) -> None:
    receiver = Receiver()
    with serve_http(receiver.app()) as url:
        config = JiraConfig(url=url, project="AP", issue_type="Bug", labels=["crossdock"])
        _, task_id = _route_invoice(db, clock, config.build("ap"))
    fields = receiver.accepted[0]["json"]["fields"]
    assert fields["project"] == {"key": "AP"}
    assert fields["issuetype"] == {"name": "Bug"}
    [task] = list_tasks(db, states=["open"])
    assert fields["priority"]["name"] == config.priorities[task["priority"]]
    assert fields["labels"] == ["crossdock", "invoice_mismatch", f"crossdock-task-{task_id}"]
    assert _delivery(db, task_id)["receipt"] == "OPS-1"


def test_chat_message_is_text_with_the_title(db: Engine, clock: Clock) -> None:
    receiver = Receiver()
    with serve_http(receiver.app()) as url:
        _route_invoice(db, clock, ChatConfig(url=f"{url}/chat").build("ap"))
    text = receiver.accepted[0]["json"]["text"]
    assert "Invoice INV-1 from SUP-7 does not match" in text


@pytest.fixture
def mail() -> Iterator[tuple[MailHandler, int]]:
    handler = MailHandler(fail_first=2)
    with serve_smtp(handler) as port:
        yield handler, port


def test_smtp_temporary_failures_are_retried_and_the_mail_sent_once(
    db: Engine, clock: Clock, mail: tuple[MailHandler, int]
) -> None:
    handler, port = mail
    config = SmtpConfig(port=port, sender="hub@example.org", to=["ap@example.org"])
    _, task_id = _route_invoice(db, clock, config.build("ap"))
    [raw] = handler.messages
    message = email.message_from_bytes(raw)
    assert handler.attempts == 3
    assert message["To"] == "ap@example.org"
    assert "Invoice INV-1" in message["Subject"]
    assert message["X-Crossdock-Task"] == str(task_id)
    assert _delivery(db, task_id)["status"] == "delivered"


def test_smtp_permanent_rejection_becomes_a_dead_letter(db: Engine, clock: Clock) -> None:
    handler = MailHandler(fail_first=10**6, fail_reply="554 5.7.1 rejected")
    with serve_smtp(handler) as port:
        config = SmtpConfig(port=port, sender="hub@example.org", to=["ap@example.org"])
        _, task_id = _route_invoice(db, clock, config.build("ap"))
    assert handler.attempts == 1
    assert _delivery(db, task_id)["status"] == "dead"
    [letter] = DeadLetterService(db).list(stage="deliver")
    assert "554" in letter.reason


def test_missing_secret_env_is_a_rejection_naming_the_variable(
    db: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV)
    target = WebhookConfig(url="http://127.0.0.1:9/ap", secret_env=SECRET_ENV).build("ap")
    _route_invoice(db, clock, target)
    [letter] = DeadLetterService(db).list(stage="deliver")
    assert SECRET_ENV in letter.reason
    assert os.environ.get(SECRET_ENV) is None


def test_a_dead_lettered_delivery_is_sent_again_once_the_target_is_back(
    db: Engine, clock: Clock
) -> None:
    from click.testing import CliRunner

    from hub.cli.app import app as cli

    receiver = Receiver(fail_first=FAST.max_attempts)  # down for the whole first round
    with serve_http(receiver.app()) as url:
        target = WebhookConfig(url=f"{url}/ap").build("ap")
        dispatcher, task_id = _route_invoice(db, clock, target)
        [letter] = DeadLetterService(db).list(stage="deliver")
        result = CliRunner().invoke(
            cli,
            [
                "routing",
                "redeliver",
                str(letter.id),
                "--actor",
                "ops",
                "--database-url",
                str(db.url),
            ],
        )
        assert result.exit_code == 0, result.output
        dispatcher.tick()
    assert len(receiver.accepted) == 1
    assert _delivery(db, task_id)["status"] == "delivered"
    assert DeadLetterService(db).get(letter.id).status == "replayed"
    again = CliRunner().invoke(
        cli, ["routing", "redeliver", str(letter.id), "--database-url", str(db.url)]
    )
    assert again.exit_code == 1  # replayed already: not sent twice
