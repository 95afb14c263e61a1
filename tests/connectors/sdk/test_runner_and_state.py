"""run_source: publish before checkpoint, re-read after a failure, dead letters, state JSON."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator

import pytest

import connectors.rest
import connectors.sdk
import connectors.sdk.testing
import connectors.shopify
from connectors.sdk import (
    Checkpoint,
    ConnectorConfigError,
    ReadItem,
    State,
    TransientConnectorError,
    TranslatedBatch,
    run_source,
)
from connectors.sdk.testing import StubBus
from connectors.sdk.translate import event_id
from tests.connectors.sdk.memory_source import MemoryConfig, MemorySource, SpecSource


def _source(scenario: str = "good", pages: int = 3) -> MemorySource:
    return MemorySource(MemoryConfig(token="secret-value-1", scenario=scenario, pages=pages))


def test_each_checkpoint_is_stored_only_after_its_events_are_published() -> None:
    bus = StubBus()
    seen: list[tuple[State, int]] = []
    outcome = run_source(_source(), bus, on_checkpoint=lambda s: seen.append((s, len(bus.events))))
    assert [published for _, published in seen] == [2, 4, 6]
    assert outcome.state == State({"counts": {"page": 3}})
    assert outcome.published == 6


def test_a_publish_failure_re_reads_from_the_last_checkpoint_without_duplicates() -> None:
    bus = StubBus(fail_publishes=1)
    outcome = run_source(_source(), bus, sleep=lambda _s: None)
    assert outcome.retries == 1
    assert len(bus.event_ids) == len(set(bus.event_ids)) == 6


def test_a_malformed_record_is_a_dead_letter_with_its_bytes_and_location() -> None:
    bus = StubBus()
    outcome = run_source(_source("malformed"), bus)
    assert [d.location for d in bus.dead_letters] == ["memory://counts/page-1#2"]
    assert bus.dead_letters[0].payload.startswith(b"{")
    assert bus.dead_letters[0].stage == "read"
    assert outcome.published == 5


def test_a_spec_sources_dead_letter_names_its_mapping_event_id_and_origin() -> None:
    bus = StubBus()
    outcome = run_source(SpecSource(MemoryConfig(token="secret-value-1")), bus)
    assert outcome.published == 5
    (letter,) = bus.dead_letters
    assert (letter.stage, letter.mapping_id, letter.mapping_version) == (
        "map",
        "csv.stock-count",
        1,
    )
    assert letter.event_type == "retail.inventory.adjusted"
    # the id its event would have had: origin + mapping, the one rule the good records got
    assert letter.context["origin"] == ["memory", "SKU-1-1"]
    assert letter.event_id == event_id(("memory", "SKU-1-1"), "csv.stock-count@1")
    assert event_id(("memory", "SKU-0-0"), "csv.stock-count@1") in bus.event_ids
    assert letter.context["names"][0] == "store_id"  # what a replay parses the bytes with


def test_dead_letter_record_is_the_one_model_under_its_old_name_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="use connectors.sdk.DeadLetter"):
        old = connectors.sdk.DeadLetterRecord  # type: ignore[attr-defined]
    assert old is connectors.sdk.DeadLetter
    with pytest.warns(DeprecationWarning, match="DeadLetterRecord is deprecated"):
        assert connectors.sdk.bus.DeadLetterRecord is connectors.sdk.DeadLetter  # type: ignore[attr-defined]


def test_the_former_registry_module_re_exports_the_entry_points_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "connectors.sdk.registry", raising=False)
    with pytest.warns(DeprecationWarning, match=r"connectors\.sdk\.registry is deprecated"):
        former = importlib.import_module("connectors.sdk.registry")
    assert former.load_connector is connectors.sdk.load_connector
    assert former.ENTRY_POINT_GROUP == "crossdock.connectors"


def test_a_permanent_failure_is_raised_after_one_attempt() -> None:
    bus = StubBus()
    with pytest.raises(connectors.sdk.RequestRejected):
        run_source(_source("permanent"), bus, sleep=lambda _s: pytest.fail("slept"))
    assert bus.events == []


def test_state_survives_a_json_round_trip() -> None:
    state = State().advance(connectors.sdk.Checkpoint("a", {"page": 2, "since": "x"}))
    assert State.from_json(state.to_json()) == state
    assert State.from_json(None) == State()


def test_config_problems_come_together_and_never_echo_secrets() -> None:
    with pytest.raises(ConnectorConfigError) as info:
        MemorySource.from_config({"pages": 0, "colour": "red"})
    problems = " ".join(info.value.problems)
    assert "token" in problems
    assert "pages" in problems
    assert "colour" in problems
    built = MemorySource.from_config({"token": "hunter2-secret"})
    assert "hunter2-secret" not in repr(built.config)


@pytest.mark.parametrize(
    "module", [connectors.sdk, connectors.sdk.testing, connectors.rest, connectors.shopify]
)
def test_public_names_are_exported_and_importable(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(module, name) is not None
    for sub in ("connector", "config", "decisions", "errors", "retry", "runner", "state"):
        assert importlib.import_module(f"connectors.sdk.{sub}").__all__


def test_a_stop_ends_the_run_at_the_next_checkpoint_and_a_rerun_resumes_there() -> None:
    bus = StubBus()
    saved: list[State] = []
    outcome = run_source(
        _source(pages=5), bus, on_checkpoint=saved.append, stop=lambda: len(saved) >= 2
    )
    assert outcome.stopped
    assert outcome.checkpoints == 2
    assert outcome.published == len(bus.events) == 4  # two pages, each made durable
    assert outcome.state == saved[-1] == State({"counts": {"page": 2}})
    rest = run_source(_source(pages=5), bus, outcome.state, stop=lambda: False)
    assert not rest.stopped
    assert rest.published == 6
    assert len(bus.event_ids) == len(set(bus.event_ids)) == 10


class _BatchSource(MemorySource):
    """Pages translated by the source itself (a format's bulk path): one batch a page, the
    second page failing once before its checkpoint when ``scenario`` is transient."""

    def read(self, state: State) -> Iterator[ReadItem]:
        start = int((state.position("counts") or {}).get("page", 0))
        for page in range(start, self.config.pages):
            yield TranslatedBatch(
                records=3,
                messages=[("retail.inventory.adjusted.v1", f"page {page}".encode())],
                events=2,
                dead_rows=[{"key": f"k{page}", "location": f"file.csv:line {page * 3 + 3}"}],
                ignored=page,
            )
            key = f"{id(self.config)}:{page}"
            if self.config.scenario == "transient" and page == 1 and key not in self.failed_once:
                self.failed_once.add(key)
                raise TransientConnectorError("peer reset the connection")
            yield Checkpoint("counts", {"page": page + 1})


def test_a_translated_batch_is_published_and_dead_lettered_before_its_checkpoint() -> None:
    bus = StubBus()
    seen: list[tuple[int, int, int]] = []
    outcome = run_source(
        _BatchSource(MemoryConfig(token="secret-value-1", scenario="transient")),
        bus,
        sleep=lambda _s: None,
        on_checkpoint=lambda _s: seen.append((len(bus.messages), len(bus.dead_rows), 0)),
        on_progress=lambda run: seen.append((run.records, run.published, run.dead_lettered)),
    )
    # each checkpoint after its batch's messages and rows; the run's counts after it
    assert seen == [(1, 1, 0), (3, 2, 1), (2, 2, 0), (6, 4, 2), (3, 3, 0), (9, 6, 3)]
    # page 1 failed before its checkpoint: read again, handed over once
    assert [body for _, body in bus.messages] == [b"page 0", b"page 1", b"page 2"]
    assert outcome.dead_letter_locations == [f"file.csv:line {n}" for n in (3, 6, 9)]
    assert (outcome.records, outcome.published, outcome.dead_lettered) == (9, 6, 3)
    assert (outcome.ignored, outcome.retries) == (0 + 1 + 2, 1)
