"""Spec loading: what a broken spec file reports."""

from __future__ import annotations

import pytest

from mappings import SpecError, compile_spec, load_spec

from .conftest import WriteSpec


def test_valid_spec_exposes_target_type_version_and_file(write_spec: WriteSpec) -> None:
    path = write_spec("fields:\n  a: {path: x}\n")
    spec = load_spec(path)
    assert (spec.target_type, spec.target_version, spec.file) == ("retail.order.created", 2, path)
    mapping = compile_spec(spec)
    assert (mapping.id, mapping.version, mapping.source_format, mapping.source_message) == (
        "test.spec",
        3,
        "x12",
        "850",
    )


def test_unknown_key_is_rejected_naming_file_and_field(write_spec: WriteSpec) -> None:
    path = write_spec("fields:\n  sku: {path: x, requird: true}\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert str(caught.value) == f"{path}: fields.sku.requird: unknown key"


def test_unknown_top_level_key_is_rejected(write_spec: WriteSpec) -> None:
    with pytest.raises(SpecError, match=r"colour: unknown key"):
        load_spec(write_spec("colour: red\nfields:\n  a: {path: x}\n"))


@pytest.mark.parametrize("target", ["retail.order.created", "order@2", "retail.order@0", "A.b@1"])
def test_bad_target_string_is_rejected(write_spec: WriteSpec, target: str) -> None:
    body = f"id: a\nversion: 1\nsource: {{format: csv}}\ntarget: '{target}'\n"
    body += "fields:\n  a: {path: x}\n"
    with pytest.raises(SpecError, match=r"target: expected '<event type>@<version>'"):
        load_spec(write_spec(body, header=False))


def test_every_problem_is_reported_at_once(write_spec: WriteSpec) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec("fields:\n  a: {path: 'x..y'}\n  b: {const: 1, path: y}\n"))
    assert len(caught.value.problems) == 2
    assert "fields.a.path: path 'x..y'" in caught.value.problems[0]
    assert "exactly one of path, const" in caught.value.problems[1]


def test_nested_group_field_errors_name_the_nested_location(write_spec: WriteSpec) -> None:
    body = "fields:\n  lines:\n    each: PO1\n    fields:\n      sku: {path: '7', bogus: 1}\n"
    with pytest.raises(SpecError, match=r"fields\.lines\.fields\.sku\.bogus: unknown key"):
        load_spec(write_spec(body))


def test_unknown_table_is_rejected(write_spec: WriteSpec) -> None:
    with pytest.raises(SpecError, match=r"fields\.u: unknown table 'uom'"):
        load_spec(write_spec("fields:\n  u: {path: x, table: uom}\n"))


def test_target_clash_between_value_and_object_is_rejected(write_spec: WriteSpec) -> None:
    with pytest.raises(SpecError, match=r"target 'a' is also an object \('a.b'\)"):
        load_spec(write_spec("fields:\n  a: {path: x}\n  a.b: {path: y}\n"))


def test_duplicate_yaml_key_is_an_error_not_last_wins(write_spec: WriteSpec) -> None:
    with pytest.raises(SpecError, match=r"duplicate key 'a'"):
        load_spec(write_spec("fields:\n  a: {path: x}\n  a: {path: y}\n"))


def test_yaml_1_1_booleans_octals_and_dates_stay_text(write_spec: WriteSpec) -> None:
    body = "tables:\n  c: {NO: Norway, 012: twelve, on: x}\nfields:\n  d: {const: 2024-05-01}\n"
    spec = load_spec(write_spec(body))
    assert spec.tables["c"] == {"NO": "Norway", "012": "twelve", "on": "x"}
    assert compile_spec(spec)({}) == {"d": "2024-05-01"}


def test_float_literal_is_rejected(write_spec: WriteSpec) -> None:
    with pytest.raises(SpecError, match=r"write decimal numbers as quoted text"):
        load_spec(write_spec("fields:\n  q: {const: 1.5}\n"))


def test_unknown_transform_is_rejected_at_compile_time(write_spec: WriteSpec) -> None:
    spec = load_spec(write_spec("fields:\n  q: {path: x, transform: decimall}\n"))
    with pytest.raises(SpecError, match=r"unknown transform 'decimall'"):
        compile_spec(spec)


def test_unimportable_python_function_is_rejected(write_spec: WriteSpec) -> None:
    spec = load_spec(write_spec("fields:\n  q: {python: 'tests.mappings.helpers:nope'}\n"))
    with pytest.raises(SpecError, match=r"cannot import 'tests.mappings.helpers:nope'"):
        compile_spec(spec)


def test_index_outside_each_is_rejected(write_spec: WriteSpec) -> None:
    spec = load_spec(write_spec("fields:\n  n: {index: true}\n"))
    with pytest.raises(SpecError, match=r"index: true outside an each group"):
        compile_spec(spec)


def test_invalid_yaml_names_the_file(write_spec: WriteSpec) -> None:
    path = write_spec("fields: [unclosed\n")
    with pytest.raises(SpecError, match=r"invalid YAML"):
        load_spec(path)


def test_generated_source_compiles_and_shows_both_paths(write_spec: WriteSpec) -> None:
    mapping = compile_spec(load_spec(write_spec("fields:\n  a: {path: x}\n")))
    compile(mapping.source, "<test>", "exec")
    assert "def _map(rec):" in mapping.source
    assert "def _map_checked(rec):" in mapping.source
    assert "test.spec@3" in mapping.source
