"""The conformance kit: the contract tests every connector passes, shared as base classes.

A connector's test module subclasses :class:`SourceConformance` (or :class:`SinkConformance`)
in a class named ``Test…`` and says how to build the connector for each :class:`Scenario`,
wired to a stub or replay transport (offline)::

    class TestShopifyConformance(SourceConformance):
        connector = ShopifySource
        malformed_location = "orders.json"

        def make_source(self, scenario: Scenario) -> ShopifySource:
            return ShopifySource(config, transport=ReplayTransport.from_file(RECORDINGS[scenario]))

What it proves: the config schema is a valid JSON Schema and config errors come all at once;
``check()`` passes with good credentials and reports bad ones as a config failure; a resume
from every checkpoint loses nothing and repeats nothing; a malformed input becomes a dead
letter naming its location; transient failures are retried and permanent ones are not.
:class:`WebhookConformance` adds, for webhook sources: a signed delivery verifies and maps;
the same delivery keeps its id and event ids; a changed body, missing signature headers or a
delivery outside the replay window are refused.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, ClassVar

import jsonschema  # type: ignore[import-untyped]
import pytest

from connectors.record import RawRecord
from connectors.sdk.connector import Connector, Event, Sink, Source
from connectors.sdk.decisions import FailureType
from connectors.sdk.errors import ConnectorConfigError
from connectors.sdk.runner import RunOutcome, deliver, run_source
from connectors.sdk.state import State
from connectors.sdk.testing.stub_bus import StubBus
from connectors.sdk.webhook import SignatureInvalid, WebhookRequest, WebhookSource

__all__ = ["Scenario", "SinkConformance", "SourceConformance", "WebhookConformance"]


class Scenario(enum.StrEnum):
    """The peer's behaviour a test asks the connector's stub transport for."""

    #: good credentials; at least two checkpoints' worth of records
    GOOD = "good"
    #: the peer refuses the credentials
    BAD_CREDENTIALS = "bad_credentials"
    #: like GOOD, but one record is malformed
    MALFORMED = "malformed"
    #: like GOOD, but the peer fails transiently (timeout, 5xx, 429) once, mid-read
    TRANSIENT = "transient"
    #: the peer fails permanently (e.g. 404 or 400 on every call)
    PERMANENT = "permanent"


def _no_sleep(_seconds: float) -> None:
    """Tests never wait for real: the backoff layer's waits are recorded, not slept."""


def _retries(caplog: pytest.LogCaptureFixture) -> int:
    """Retries the backoff layer made, at whatever layer (it logs each one)."""
    return sum(
        1
        for r in caplog.records
        if r.name == "connectors.sdk.retry" and r.getMessage().startswith("retrying after")
    )


class _ConnectorContract:
    connector: ClassVar[type[Connector[Any]]]

    def build(self, scenario: Scenario) -> Connector[Any]:
        raise NotImplementedError

    def test_config_schema_is_a_valid_json_schema(self) -> None:
        schema = self.connector.config_schema()
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema.get("type") == "object"
        assert schema.get("properties"), "the config model documents no field"

    def test_config_problems_are_reported_at_once(self) -> None:
        required = self.connector.config_model.model_json_schema().get("required", [])
        with pytest.raises(ConnectorConfigError) as info:
            self.connector.from_config({"not_a_field": 1})
        # every missing required field and the unknown key, in one error
        assert len(info.value.problems) == len(required) + 1

    def test_secrets_are_not_shown_in_the_config_repr(self) -> None:
        built = self.build(Scenario.GOOD)
        schema = built.config_schema()
        for name, prop in schema.get("properties", {}).items():
            if prop.get("x-secret"):
                value = getattr(built.config, name)
                secret = value.get_secret_value() if hasattr(value, "get_secret_value") else value
                if secret:
                    assert str(secret) not in repr(built.config)

    def test_check_passes_with_good_credentials(self) -> None:
        with self.build(Scenario.GOOD) as conn:
            result = conn.check()
        assert result.ok, result.message

    def test_check_reports_bad_credentials_as_a_config_failure(self) -> None:
        with self.build(Scenario.BAD_CREDENTIALS) as conn:
            result = conn.check()
        assert not result.ok
        assert result.failure is FailureType.CONFIG, result


class SourceConformance(_ConnectorContract):
    """Contract tests for a :class:`~connectors.sdk.connector.Source`."""

    connector: ClassVar[type[Source[Any]]]
    #: text the malformed record's dead-letter location must contain (e.g. a file or page)
    malformed_location: ClassVar[str] = ""

    def make_source(self, scenario: Scenario) -> Source[Any]:
        """The connector wired to a stub transport behaving as ``scenario`` says."""
        raise NotImplementedError("a conformance test class implements make_source(scenario)")

    def build(self, scenario: Scenario) -> Connector[Any]:
        return self.make_source(scenario)

    def run(
        self, scenario: Scenario, state: State | None = None, bus: StubBus | None = None
    ) -> tuple[RunOutcome, StubBus, list[tuple[State, int]]]:
        bus = bus or StubBus()
        marks: list[tuple[State, int]] = []
        with self.make_source(scenario) as source:
            outcome = run_source(
                source,
                bus,
                state,
                on_checkpoint=lambda s: marks.append((s, len(bus.events))),
                sleep=_no_sleep,
            )
        return outcome, bus, marks

    def test_discover_names_streams_with_canonical_types(self) -> None:
        with self.make_source(Scenario.GOOD) as source:
            streams = source.discover()
        assert streams
        for stream in streams:
            assert stream.event_type.startswith("retail."), stream
            assert stream.event_version >= 1

    def test_a_full_read_publishes_events_and_checkpoints(self) -> None:
        outcome, bus, marks = self.run(Scenario.GOOD)
        assert bus.events, "the GOOD scenario published nothing"
        assert len(marks) >= 2, "the GOOD scenario needs at least two checkpoints to test resume"
        assert len(set(bus.event_ids)) == len(bus.event_ids), "duplicate events in one read"
        assert not bus.dead_letters
        assert outcome.state == marks[-1][0]

    def test_resume_from_every_checkpoint_loses_and_repeats_nothing(self) -> None:
        _, full, marks = self.run(Scenario.GOOD)
        for state, published_before in marks:
            _, after, _ = self.run(Scenario.GOOD, state)
            resumed = full.event_ids[:published_before] + after.event_ids
            assert resumed == full.event_ids, f"resume from {state} differs from one full read"

    def test_a_second_run_from_the_final_state_reads_nothing_new(self) -> None:
        outcome, _, _ = self.run(Scenario.GOOD)
        _, again, _ = self.run(Scenario.GOOD, outcome.state)
        assert again.events == []

    def test_malformed_input_becomes_a_dead_letter_naming_its_location(self) -> None:
        outcome, bus, _ = self.run(Scenario.MALFORMED)
        assert bus.dead_letters, "the malformed record was not dead-lettered"
        for letter in bus.dead_letters:
            assert letter.location, "a dead letter without a location"
            assert self.malformed_location in letter.location
            assert letter.payload, "a dead letter without the original bytes"
        assert outcome.dead_lettered == len(bus.dead_letters)
        # the good records around it still went through
        assert bus.events

    def test_transient_errors_are_retried_without_loss_or_duplicates(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.WARNING, logger="connectors.sdk.retry"):
            _, bus, _ = self.run(Scenario.TRANSIENT)
        assert _retries(caplog) >= 1, "the transient failure was not retried"
        _, good, _ = self.run(Scenario.GOOD)
        assert bus.event_ids == good.event_ids

    def test_permanent_errors_are_not_retried(self, caplog: pytest.LogCaptureFixture) -> None:
        with (
            self.make_source(Scenario.PERMANENT) as source,
            caplog.at_level(logging.WARNING, logger="connectors.sdk.retry"),
            pytest.raises(Exception) as info,  # noqa: PT011  # any class, as long as it is final
        ):
            run_source(source, StubBus(), sleep=_no_sleep)
        assert not source.decision_table().decide(info.value).retryable, info.value
        assert _retries(caplog) == 0, "a permanent failure was retried"


class SinkConformance(_ConnectorContract):
    """Contract tests for a :class:`~connectors.sdk.connector.Sink`."""

    connector: ClassVar[type[Sink[Any]]]

    def make_sink(self, scenario: Scenario) -> Sink[Any]:
        """The connector wired to a stub transport behaving as ``scenario`` says.

        MALFORMED: the peer refuses the first of :meth:`events` for good (it is dead-lettered
        alone). PERMANENT: the peer refuses the whole write for good (e.g. 403), so it fails.
        """
        raise NotImplementedError("a conformance test class implements make_sink(scenario)")

    def events(self) -> Sequence[Event]:
        """Canonical events (structured CloudEvents) to write."""
        raise NotImplementedError("a conformance test class implements events()")

    def build(self, scenario: Scenario) -> Connector[Any]:
        return self.make_sink(scenario)

    def test_write_delivers_every_event(self) -> None:
        events = self.events()
        with self.make_sink(Scenario.GOOD) as sink:
            report = deliver(sink, events, StubBus(), sleep=_no_sleep)
        assert sorted(report.written) == sorted(str(e["id"]) for e in events)

    def test_a_refused_event_becomes_a_dead_letter_naming_it(self) -> None:
        events = self.events()
        bus = StubBus()
        with self.make_sink(Scenario.MALFORMED) as sink:
            report = deliver(sink, events, bus, sleep=_no_sleep)
        assert [d.location for d in bus.dead_letters] == [str(events[0]["id"])]
        assert bus.dead_letters[0].payload
        assert len(report.written) == len(events) - 1

    def test_transient_errors_are_retried(self, caplog: pytest.LogCaptureFixture) -> None:
        with (
            self.make_sink(Scenario.TRANSIENT) as sink,
            caplog.at_level(logging.WARNING, logger="connectors.sdk.retry"),
        ):
            report = deliver(sink, self.events(), StubBus(), sleep=_no_sleep)
        assert _retries(caplog) >= 1, "the transient failure was not retried"
        assert len(report.written) == len(self.events())

    def test_permanent_errors_are_not_retried(self, caplog: pytest.LogCaptureFixture) -> None:
        with (
            self.make_sink(Scenario.PERMANENT) as sink,
            caplog.at_level(logging.WARNING, logger="connectors.sdk.retry"),
            pytest.raises(Exception) as info,  # noqa: PT011  # any class, as long as it is final
        ):
            deliver(sink, self.events(), StubBus(), sleep=_no_sleep)
        assert not sink.decision_table().decide(info.value).retryable, info.value
        assert _retries(caplog) == 0, "a permanent failure was retried"


class WebhookConformance:
    """Contract tests for a :class:`~connectors.sdk.webhook.WebhookSource`, offline.

    A test class mixes it in next to :class:`SourceConformance` and gives a signed delivery.
    """

    def make_webhook_source(self) -> WebhookSource[Any]:
        """The connector configured with the secret :meth:`signed_request` signs with."""
        raise NotImplementedError("a webhook conformance class implements make_webhook_source()")

    def signed_request(self) -> WebhookRequest:
        """A correctly signed, fresh delivery the connector maps to at least one event."""
        raise NotImplementedError("a webhook conformance class implements signed_request()")

    def test_a_signed_delivery_is_verified_and_maps_to_events(self) -> None:
        source, request = self.make_webhook_source(), self.signed_request()
        source.verify(request)
        records = list(source.receive(request))
        assert records
        assert all(isinstance(r, RawRecord) for r in records), records
        events = [e for r in records if isinstance(r, RawRecord) for e in source.to_events(r)]
        assert events
        assert all(e.type.startswith("retail.") for e in events)

    def test_the_same_delivery_has_the_same_id_and_the_same_event_ids(self) -> None:
        source, request = self.make_webhook_source(), self.signed_request()
        first = [e.id for r in source.receive(request) if isinstance(r, RawRecord)
                 for e in source.to_events(r)]  # fmt: skip
        again = [e.id for r in source.receive(request) if isinstance(r, RawRecord)
                 for e in source.to_events(r)]  # fmt: skip
        assert source.delivery_id(request) == source.delivery_id(request)
        assert first == again

    def test_a_changed_body_is_refused(self) -> None:
        source, request = self.make_webhook_source(), self.signed_request()
        tampered = dataclasses.replace(request, body=request.body + b" ")
        with pytest.raises(SignatureInvalid):
            source.verify(tampered)

    def test_a_delivery_without_its_signature_headers_is_refused(self) -> None:
        source, request = self.make_webhook_source(), self.signed_request()
        plain = {k: v for k, v in request.headers.items() if "sign" not in k and "hmac" not in k}
        with pytest.raises(SignatureInvalid):
            source.verify(dataclasses.replace(request, headers=plain))

    def test_a_delivery_outside_the_replay_window_is_refused(self) -> None:
        source, request = self.make_webhook_source(), self.signed_request()
        late = dataclasses.replace(request, received_at=request.received_at + timedelta(days=1))
        with pytest.raises(SignatureInvalid):
            source.verify(late)
