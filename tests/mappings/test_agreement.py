"""The fast path and the checked path are one spec compiled twice: they must agree."""

from __future__ import annotations

import textwrap
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings import CompiledMapping, MappingError, MappingSpec, compile_spec

from .conftest import HEADER

SPEC = """
tables: {uom: {EA: C62, CA: CS}}
fields:
  id: {path: head.1, transform: strip, required: true}
  date: {path: head.2, transform: date}
  note: {path: head.3, empty: null}
  lines:
    each: items
    where: {path: "0", in: [PO1, po1]}
    fields:
      n: {index: true, start: 1}
      sku: {path: "1", required: true}
      qty.value: {path: "2", transform: decimal}
      qty.unit: {path: "3", table: uom, default: C62}
      ref: {path: $root.head.1}
"""

texts = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "PO1", "po1", "EA", "CA", "XX", "1", "2.5", "x", "20261120"]),
)
segments = st.lists(texts, max_size=5)
nodes = st.one_of(segments, st.dictionaries(st.sampled_from(["0", "1", "2"]), texts), texts)
records = st.fixed_dictionaries(
    {},
    optional={
        "head": st.one_of(segments, texts, st.dictionaries(st.sampled_from(["1", "2"]), texts)),
        "items": st.one_of(st.lists(nodes, max_size=4), texts, nodes),
    },
)


def _outcome(function: Any, record: Any) -> Any:
    try:
        return ("ok", function(record))
    except MappingError as error:
        return ("error", str(error))


def _checked(mapping: CompiledMapping) -> Any:
    return mapping._function.__globals__["_map_checked"]


MAPPING = compile_spec(MappingSpec.model_validate(yaml.safe_load(HEADER + textwrap.dedent(SPEC))))


@given(record=records)
@settings(max_examples=400, deadline=None)
def test_fast_and_checked_paths_agree_on_arbitrary_trees(record: dict[str, Any]) -> None:
    mapping = MAPPING
    assert _outcome(mapping, record) == _outcome(_checked(mapping), record)
