"""Routing continues the trace an event carries: its route span, and later the deliver span of
the task it opened (the trace is kept on the task across the group wait)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select

from connectors.sdk import tracing
from hub.routing.dispatcher import Dispatcher
from hub.routing.router import Router
from hub.routing.tables import TaskRow
from hub.routing.tasks import list_tasks
from hub.routing.worker import RoutingWorker
from tests.routing.conftest import Clock
from tests.routing.events import count

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.configure(span_exporter=exporter)
    yield exporter
    tracing.shutdown()


def test_the_delivery_of_a_task_continues_the_trace_of_the_event_that_opened_it(
    spans: InMemorySpanExporter, router: Router, dispatcher: Dispatcher, clock: Clock
) -> None:
    worker = RoutingWorker(router, dispatcher)
    worker.handle([{**count("S001", "SKU-1", 1, 10, clock()), "traceparent": PARENT}])
    tasks = {t["id"] for t in list_tasks(router.db, limit=10)}
    assert len(tasks) == 2  # the store's recount and the district's variance
    clock.advance(minutes=11)  # past the rule's group wait
    assert dispatcher.tick().delivered >= 1
    found = spans.get_finished_spans()
    [route] = [s for s in found if s.name == "crossdock.route"]
    delivers = [s for s in found if s.name == "crossdock.deliver"]
    assert delivers
    route_ctx = route.get_span_context()
    assert route_ctx is not None
    assert f"{route_ctx.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    for deliver in delivers:
        ctx = deliver.get_span_context()
        assert ctx is not None
        assert ctx.trace_id == route_ctx.trace_id
        assert deliver.parent is not None
        assert deliver.parent.span_id == route_ctx.span_id
        assert deliver.attributes is not None
        assert deliver.attributes["crossdock.task_id"] in tasks
        assert deliver.attributes["crossdock.delivered"] is True


def test_without_tracing_a_task_keeps_no_trace(router: Router, clock: Clock) -> None:
    RoutingWorker(router, Dispatcher(router)).handle(
        [{**count("S001", "SKU-1", 1, 10, clock()), "traceparent": PARENT}]
    )
    with router.db.connect() as conn:
        assert conn.execute(select(TaskRow.traceparent)).scalars().all() == [None, None]
