"""Traces: OpenTelemetry spans at the stage seams of the hub and the SDK, off unless configured.

Every stage that is traced (file, chunk, read, map, validate, publish, dead-letter, route,
deliver, webhook) calls :func:`span` or :func:`start_span` here and nothing else, so the hub
and the SDK (a connector's runner may not import the hub) share one switch and one exporter.
An event carries its producer's span as the CloudEvents distributed-tracing extension
(``traceparent``, ``tracestate``: W3C Trace Context strings), which a consumer passes back to
:func:`span` to continue the trace.

Off by default, and then free: :func:`span` returns one shared do-nothing object and
``opentelemetry`` is never imported. The import is lazy (inside :func:`configure`) for that
reason: the SDK, its exporters and protobuf cost tens of milliseconds and megabytes at every
start of every command and worker process, and most runs never trace. Callers keep spans per
file, chunk, message or request, never per row, so the bulk path does no work when tracing is
off and little when it is on.

Switched on by :func:`configure` (``crossdock.yaml``'s ``tracing:`` section) or
:func:`configure_from_environment` (the standard ``OTEL_TRACES_EXPORTER``: ``otlp``,
``console`` or ``none``; the OTLP exporter reads ``OTEL_EXPORTER_OTLP_ENDPOINT`` and the other
``OTEL_EXPORTER_OTLP_*`` variables itself).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from connectors.sdk.errors import ConnectorConfigError

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span as OtelSpan
    from opentelemetry.trace import Tracer

    from canonical import Envelope

__all__ = [
    "NO_SPAN",
    "TRACEPARENT",
    "TRACESTATE",
    "Span",
    "configure",
    "configure_from_environment",
    "current",
    "current_ids",
    "enabled",
    "shutdown",
    "span",
    "stamped",
    "start_span",
    "trace_id_of",
]

TRACEPARENT: Final = "traceparent"
"""The CloudEvents extension attribute (and HTTP header) carrying the W3C trace parent."""
TRACESTATE: Final = "tracestate"
"""The CloudEvents extension attribute (and HTTP header) carrying the W3C trace state."""

EXPORTERS: Final = ("otlp", "console", "none")
"""What ``tracing.exporter`` and ``OTEL_TRACES_EXPORTER`` may name."""

# version 00: 2 hex, trace id 32 hex (not all zero), span id 16 hex, flags 2 hex
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


class _Switch:
    """The tracer while tracing is on (one per process, replaced by :func:`configure`)."""

    __slots__ = ("provider", "tracer")

    def __init__(self) -> None:
        self.tracer: Tracer | None = None
        self.provider: TracerProvider | None = None


_on = _Switch()


def enabled() -> bool:
    """Whether spans are recorded (a stage may skip preparing attributes when not)."""
    return _on.tracer is not None


def trace_id_of(traceparent: str | None) -> str | None:
    """The 32-hex trace id in a W3C ``traceparent`` (None when absent or malformed)."""
    if not traceparent:
        return None
    match = _TRACEPARENT.match(traceparent)
    return match.group(1) if match else None


class Span:
    """A span of work, or nothing when tracing is off (then every method does nothing).

    ``with span(...) as s:`` makes it the current span (spans started inside are its
    children); :func:`start_span` gives one that is not current, ended by :meth:`end`, for a
    stage whose work is interleaved with others (chunks in flight in worker processes).
    """

    __slots__ = ("_otel", "_token")

    def __init__(self, otel: OtelSpan | None = None) -> None:
        self._otel = otel
        self._token: object | None = None

    @property
    def traceparent(self) -> str | None:
        """This span as a W3C ``traceparent`` (None when tracing is off)."""
        if self._otel is None:
            return None
        ctx = self._otel.get_span_context()
        return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"

    @property
    def tracestate(self) -> str | None:
        """The W3C ``tracestate`` carried along (None when empty or tracing is off)."""
        if self._otel is None:
            return None
        return self._otel.get_span_context().trace_state.to_header() or None

    @property
    def trace_id(self) -> str | None:
        """The 32-hex trace id (None when tracing is off)."""
        if self._otel is None:
            return None
        return f"{self._otel.get_span_context().trace_id:032x}"

    def set(self, key: str, value: str | int | float | bool) -> None:
        """Set one attribute."""
        if self._otel is not None:
            self._otel.set_attribute(key, value)

    def add_event(self, name: str, attributes: Mapping[str, str | int | float | bool]) -> None:
        """Note something that happened during the span (one dead letter of a chunk)."""
        if self._otel is not None:
            self._otel.add_event(name, dict(attributes))

    def record_error(self, exc: BaseException) -> None:
        """Mark the span failed with ``exc`` (a dead-lettered record, a refused file)."""
        if self._otel is not None:
            from opentelemetry.trace import Status, StatusCode

            self._otel.record_exception(exc)
            self._otel.set_status(Status(StatusCode.ERROR, str(exc)[:200]))

    def end(self, end_time: int | None = None) -> None:
        """End a span from :func:`start_span` (now, or at ``end_time``: ns since the epoch)."""
        if self._otel is not None:
            self._otel.end(end_time=end_time)

    def __enter__(self) -> Span:
        if self._otel is not None:
            from opentelemetry import context, trace

            self._token = context.attach(trace.set_span_in_context(self._otel))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._otel is None:
            return
        from opentelemetry import context

        if exc is not None:
            self.record_error(exc)
        if self._token is not None:
            context.detach(self._token)  # type: ignore[arg-type]
            self._token = None
        self._otel.end()


NO_SPAN: Final = Span()
"""The span that records nothing (what every call gives while tracing is off)."""
_OFF = NO_SPAN


def start_span(
    name: str,
    *,
    traceparent: str | None = None,
    tracestate: str | None = None,
    attributes: Mapping[str, str | int | float | bool] | None = None,
    kind: str = "internal",
    start_time: int | None = None,
) -> Span:
    """A new span, not made current: the child of ``traceparent`` when given (a consumer
    continuing its producer's trace), else of the current span, else a new trace.

    ``start_time`` (ns since the epoch) records work done before, elsewhere: a chunk's phases,
    timed in the worker process that translated it."""
    tracer = _on.tracer
    if tracer is None:
        return _OFF
    from opentelemetry import trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    parent = None
    if traceparent is not None and trace_id_of(traceparent) is not None:
        carrier = {TRACEPARENT: traceparent}
        if tracestate:
            carrier[TRACESTATE] = tracestate
        parent = TraceContextTextMapPropagator().extract(carrier)
    return Span(
        tracer.start_span(
            name,
            context=parent,
            kind=getattr(trace.SpanKind, kind.upper()),
            attributes=dict(attributes or {}),
            start_time=start_time,
        )
    )


def span(
    name: str,
    *,
    traceparent: str | None = None,
    tracestate: str | None = None,
    attributes: Mapping[str, str | int | float | bool] | None = None,
    kind: str = "internal",
) -> Span:
    """A span to use in ``with``: current inside the block, ended at its end (an exception
    leaving the block is recorded on it). Parent as for :func:`start_span`."""
    if _on.tracer is None:
        return _OFF
    return start_span(
        name, traceparent=traceparent, tracestate=tracestate, attributes=attributes, kind=kind
    )


def current() -> Span:
    """The current span (to read its ``traceparent``), :data:`NO_SPAN` without one."""
    if _on.tracer is None:
        return _OFF
    from opentelemetry import trace

    otel = trace.get_current_span()
    return Span(otel) if otel.get_span_context().is_valid else _OFF


def stamped(events: Sequence[Envelope[Any]]) -> list[Envelope[Any]]:
    """``events`` carrying the current span as their trace (those that carry one keep it):
    what a producer publishes, so its consumers continue the trace. Unchanged when off."""
    span = current()
    if span.traceparent is None:
        return list(events)
    trace = {TRACEPARENT: span.traceparent, TRACESTATE: span.tracestate}
    return [e if e.traceparent else e.model_copy(update=trace) for e in events]


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span as hex, None without one (for log lines)."""
    if _on.tracer is None:
        return None
    from opentelemetry import trace

    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"


def configure(
    exporter: str | None = "otlp",
    *,
    endpoint: str | None = None,
    service_name: str = "crossdock",
    span_exporter: SpanExporter | None = None,
) -> bool:
    """Switch tracing on with ``exporter`` (``otlp``, ``console``; ``none`` or None: off).

    ``endpoint`` overrides ``OTEL_EXPORTER_OTLP_ENDPOINT`` (an OTLP/HTTP collector such as
    ``http://collector:4318``). ``span_exporter`` (tests: the SDK's ``InMemorySpanExporter``)
    is used as it is and its spans are exported as they end. Whether tracing is on after.
    A second call replaces the first (its spans are flushed first).
    """
    shutdown()
    if span_exporter is None and (exporter is None or exporter == "none"):
        return False
    # lazy: see the module docstring (no opentelemetry import cost while tracing is off)
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if span_exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    elif exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        if endpoint is not None:
            # the OTLP/HTTP exporter takes the full traces URL, the variable only the base
            endpoint = endpoint.rstrip("/")
            if not endpoint.endswith("/v1/traces"):
                endpoint += "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    else:
        raise ConnectorConfigError(
            "tracing", [f"exporter {exporter!r}: expected one of {', '.join(EXPORTERS)}"]
        )
    # a private provider, not the process-wide one: configure again (tests) replaces it
    _on.provider = provider
    _on.tracer = provider.get_tracer("crossdock")
    return True


def configure_from_environment(environ: Mapping[str, str] | None = None) -> bool:
    """Switch tracing on when ``OTEL_TRACES_EXPORTER`` names an exporter (OpenTelemetry's
    own default is ``otlp``; the hub's is off, so the variable must be set). Whether on."""
    env = os.environ if environ is None else environ
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if not exporter or exporter == "none":
        return False
    service = env.get("OTEL_SERVICE_NAME") or "crossdock"
    return configure(exporter, service_name=service)


def shutdown() -> None:
    """Flush and switch tracing off (spans still open are dropped)."""
    provider, _on.provider, _on.tracer = _on.provider, None, None
    if provider is not None:
        provider.shutdown()
