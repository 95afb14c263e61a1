"""The committed JSON Schemas equal the models, are valid draft 2020-12, and drift is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from canonical import check_schemas, export_schemas
from canonical.schema_export import first_difference
from tests.canonical import payloads

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_committed_schemas_match_the_models() -> None:
    assert check_schemas(REPO_SCHEMAS) == []


@pytest.mark.parametrize(
    ("path", "example"),
    [
        ("retail.inventory.adjusted/v1.schema.json", payloads.inventory_count()),
        ("retail.order.created/v1.schema.json", payloads.order()),
        ("retail.return.authorized/v1.schema.json", payloads.return_authorized()),
        ("retail.invoice.matched/v1.schema.json", payloads.invoice_three_way()),
        ("retail.order.created/v2.schema.json", payloads.order_v2()),
        ("retail.inventory.adjusted/v2.schema.json", payloads.inventory_lot_receipt_v2()),
        ("retail.inventory.adjusted/v2.schema.json", payloads.inventory_serial_sale_v2()),
    ],
)
def test_schema_is_valid_2020_12_and_accepts_the_example(path: str, example: object) -> None:
    schema = json.loads((REPO_SCHEMAS / path).read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].startswith("urn:crossdock:schema:retail.")
    assert list(Draft202012Validator(schema).iter_errors(example)) == []


def test_export_then_check_is_clean_and_byte_stable(tmp_path: Path) -> None:
    written = export_schemas(tmp_path)
    assert len(written) == 7
    first = {p: p.read_bytes() for p in written}
    export_schemas(tmp_path)
    assert {p: p.read_bytes() for p in written} == first
    assert all(text.endswith(b"}\n") for text in first.values())
    assert check_schemas(tmp_path) == []


def test_check_reports_missing_extra_and_changed_files(tmp_path: Path) -> None:
    export_schemas(tmp_path)
    (tmp_path / "retail.order.created" / "v1.schema.json").unlink()
    (tmp_path / "retail.order.created" / "v7.schema.json").write_text("{}\n")
    inventory = tmp_path / "retail.inventory.adjusted" / "v1.schema.json"
    schema = json.loads(inventory.read_text())
    schema["properties"]["sku"]["maxLength"] = 99
    inventory.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    problems = check_schemas(tmp_path)
    assert problems == [
        "retail.inventory.adjusted/v1.schema.json: content differs from the model, "
        "first at /properties/sku/maxLength",
        "retail.order.created/v1.schema.json: missing (regenerate with export_schemas)",
        "retail.order.created/v7.schema.json: no registered event model produces this file",
    ]


def test_first_difference_points_into_arrays_and_distinguishes_true_from_1() -> None:
    assert first_difference({"a": [1, 2]}, {"a": [1, 3]}) == "/a/1"
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == "/a/1"
    assert first_difference({"a/b": True}, {"a/b": 1}) == "/a~1b"
    assert first_difference({"x": 1}, {"x": 1}) is None
