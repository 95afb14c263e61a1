"""MappingError: what failed, where in the target, where in the source."""

from __future__ import annotations

import pickle

import pytest

from mappings import MappingError

from .conftest import CompileYaml
from .test_groups import PO, RECORD
from .test_values import ROW, STOCK_COUNT


def test_bad_decimal_names_spec_field_source_and_value(compile_yaml: CompileYaml) -> None:
    with pytest.raises(MappingError) as caught:
        compile_yaml(STOCK_COUNT)({**ROW, "counted_qty": "12x"})
    error = caught.value
    assert str(error) == (
        "mapping test.spec@3: field counted_quantity.value from counted_qty='12x': "
        "not a decimal number"
    )
    assert (error.spec_id, error.spec_version) == ("test.spec", 3)
    assert (error.field, error.source_path, error.value) == (
        "counted_quantity.value",
        "counted_qty",
        "12x",
    )
    assert error.reason == "not a decimal number"


def test_error_in_a_line_names_output_and_source_positions(compile_yaml: CompileYaml) -> None:
    segments = [*RECORD["segments"], ["PO1", "3", "2x", "EA", "1", "", "VP", "SKU-C"]]
    with pytest.raises(MappingError) as caught:
        compile_yaml(PO)({**RECORD, "segments": segments})
    # Output position 2 (the CTT segment is filtered out), source position 3.
    assert caught.value.field == "lines[2].quantity.value"
    assert caught.value.source_path == "segments[3].2"
    assert "field lines[2].quantity.value from segments[3].2='2x'" in str(caught.value)


def test_brief_example_lines_2_from_po1_2(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        "fields:\n  lines:\n    each: PO1\n    fields:\n"
        "      quantity.value: {path: '2', transform: decimal}\n"
    )
    lines = [["PO1", "1", "1"], ["PO1", "2", "2"], ["PO1", "3", "three"]]
    with pytest.raises(MappingError, match=r"field lines\[2\]\.quantity\.value from PO1\[2\]\.2="):
        mapping({"PO1": lines})


def test_required_missing_value_is_reported_as_missing(compile_yaml: CompileYaml) -> None:
    row = {key: value for key, value in ROW.items() if key != "sku"}
    with pytest.raises(MappingError) as caught:
        compile_yaml(STOCK_COUNT)(row)
    assert caught.value.field == "sku"
    assert caught.value.reason == "required value is missing"
    assert str(caught.value).endswith("field sku from sku (missing): required value is missing")


def test_required_blank_value_after_strip_is_reported_as_empty(compile_yaml: CompileYaml) -> None:
    with pytest.raises(MappingError) as caught:
        compile_yaml(STOCK_COUNT)({**ROW, "store_id": "   "})
    assert caught.value.reason == "required value is empty"
    assert caught.value.value == "   "


def test_required_position_past_end_of_segment_is_missing(compile_yaml: CompileYaml) -> None:
    segments = [["PO1", "1", "4", "EA"]]
    with pytest.raises(MappingError) as caught:
        compile_yaml(PO)({**RECORD, "segments": segments})
    assert (caught.value.field, caught.value.source_path) == ("lines[0].sku", "segments[0].7")


def test_shape_mismatch_is_a_mapping_error(compile_yaml: CompileYaml) -> None:
    with pytest.raises(MappingError) as caught:
        compile_yaml(PO)({"header": {"BEG": "not a segment"}, "segments": []})
    assert caught.value.field == "order_id"
    assert "expected a list or an object" in caught.value.reason


def test_python_function_failure_is_wrapped_with_its_class(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("fields:\n  x: {python: 'tests.mappings.helpers:explode'}\n")
    with pytest.raises(MappingError) as caught:
        mapping({})
    assert caught.value.reason == "ZeroDivisionError: division by zero"
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


def test_long_values_are_shortened(compile_yaml: CompileYaml) -> None:
    with pytest.raises(MappingError) as caught:
        compile_yaml(STOCK_COUNT)({**ROW, "counted_qty": "9" * 500 + "x"})
    assert isinstance(caught.value.value, str)
    assert len(caught.value.value) == 60
    assert caught.value.value.endswith("…")


def test_mapping_error_survives_pickling(compile_yaml: CompileYaml) -> None:
    with pytest.raises(MappingError) as caught:
        compile_yaml(STOCK_COUNT)({**ROW, "counted_qty": "x"})
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)
    assert copy.field == "counted_quantity.value"


def test_optional_absence_falls_back_without_error_and_counts(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(PO)
    short = {**RECORD, "segments": [["PO1", "1", "4", "EA", "9.99", "", "VP", "SKU-A"]]}
    mapping(short)
    assert mapping.fallbacks == 0
    mapping({**RECORD, "header": {"BEG": ["BEG", "00", "SA", "PO-1"]}, "segments": None})
    assert mapping.fallbacks == 0
