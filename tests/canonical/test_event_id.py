"""Deterministic event ids."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical import EVENT_ID_NAMESPACE, EventIdSeries, InvalidEventIdParts, make_event_id


def test_same_parts_give_the_same_id_and_it_is_a_uuid5() -> None:
    first = make_event_id("stockcount-20261123.csv", "S001", "csv.stock-count@1")
    assert first == make_event_id("stockcount-20261123.csv", "S001", "csv.stock-count@1")
    assert uuid.UUID(first).version == 5


def test_a_new_mapping_version_or_location_gives_a_new_id() -> None:
    base = make_event_id("doc", "S001", "csv.stock-count@1")
    assert base != make_event_id("doc", "S001", "csv.stock-count@2")
    assert base != make_event_id("doc", "S002", "csv.stock-count@1")


def test_part_boundaries_matter() -> None:
    assert make_event_id("a:b", "c") != make_event_id("a", "b:c")
    assert make_event_id("ab", "c") != make_event_id("a", "bc")


def test_namespace_is_derived_as_documented() -> None:
    assert uuid.uuid5(uuid.NAMESPACE_URL, "urn:crossdock:event-id") == EVENT_ID_NAMESPACE


def test_known_value_never_changes() -> None:
    # Pinned: changing the derivation would make replays look like new events.
    assert make_event_id("doc1", "S001", "map@1") == "3607f332-109e-5229-9eaf-320cc1c135f5"


@pytest.mark.parametrize("parts", [(), ("doc", "")])
def test_no_parts_or_an_empty_part_is_an_error(parts: tuple[str, ...]) -> None:
    with pytest.raises(InvalidEventIdParts):
        make_event_id(*parts)


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=4))
def test_fast_event_id_equals_the_standard_uuid5(parts: list[str]) -> None:
    name = "".join(f"{len(p)}:{p}" for p in parts)
    assert make_event_id(*parts) == str(uuid.uuid5(EVENT_ID_NAMESPACE, name))


text = st.text(min_size=1, max_size=30)


@given(st.lists(text, max_size=3), text, st.lists(text, max_size=3))
def test_a_series_gives_the_ids_of_make_event_id(
    before: list[str], part: str, after: list[str]
) -> None:
    series = EventIdSeries(*before, after=tuple(after))
    assert series(part) == make_event_id(*before, part, *after)


def test_a_series_refuses_empty_parts() -> None:
    with pytest.raises(InvalidEventIdParts):
        EventIdSeries("doc", "")
    with pytest.raises(InvalidEventIdParts):
        EventIdSeries("doc")("")


@pytest.mark.parametrize("length", [1023, 1024, 5000])
def test_a_long_part_gives_the_standard_uuid5(length: int) -> None:
    # parts of 1024 characters and more are framed by formatting their length, not by the
    # table of prefixes: both must hash the same text
    parts = ("doc", "x" * length, "spec@1")
    name = "".join(f"{len(p)}:{p}" for p in parts)
    assert make_event_id(*parts) == str(uuid.uuid5(EVENT_ID_NAMESPACE, name))
    assert EventIdSeries("doc", after=("spec@1",))("x" * length) == make_event_id(*parts)
