"""emits_only_fields_of: proof, from the spec alone, that a mapping emits no unknown key."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from canonical import event_model
from mappings import SPECS_DIR, compile_spec, load_spec

from .conftest import CompileYaml

_FORBID = ConfigDict(extra="forbid")


class Qty(BaseModel):
    model_config = _FORBID
    value: Decimal
    unit: str = "C62"


class Line(BaseModel):
    model_config = _FORBID
    sku: str
    qty: Qty | None = None


class Order(BaseModel):
    model_config = _FORBID
    order_id: str
    total: Qty | None = None
    lines: tuple[Line, ...] = ()
    tags: list[str] = []
    note: str | None = Field(default=None, alias="comment")


def test_the_stock_count_spec_emits_only_inventory_fields() -> None:
    mapping = compile_spec(load_spec(SPECS_DIR / "csv" / "retail.inventory.adjusted@1.yaml"))
    model = event_model(mapping.target_type, mapping.target_version)
    assert mapping.emits_only_fields_of(model)


def test_nested_targets_and_each_groups_of_models_fit(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml(
        """
fields:
  order_id: {path: id, required: true}
  total.value: {path: total, transform: decimal}
  lines:
    each: items
    fields:
      sku: {path: sku, required: true}
      qty.value: {path: qty, transform: decimal}
"""
    )
    assert mapping.emits_only_fields_of(Order)


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ("  order_idd: {path: id}\n", "a misspelt field"),
        ("  total.valeu: {path: total}\n", "a misspelt nested field"),
        ("  total: {path: total}\n", "a leaf aimed at a whole model (any dict could come)"),
        ("  tags.value: {path: id}\n", "a nested key under a non-model"),
        ("  note: {path: note}\n", "a field validated by its alias"),
        ("  tags:\n    each: tags\n    fields: {x: {path: x}}\n", "each into a list of non-models"),
        (
            "  lines:\n    each: items\n    fields: {skew: {path: sku}}\n",
            "a misspelt field inside an each group",
        ),
    ],
)
def test_anything_unproved_does_not_fit(compile_yaml: CompileYaml, fields: str, why: str) -> None:
    mapping = compile_yaml("fields:\n  order_id: {path: id, required: true}\n" + fields)
    assert not mapping.emits_only_fields_of(Order), why


def test_a_split_spec_does_not_fit(compile_yaml: CompileYaml) -> None:
    mapping = compile_yaml("split: {each: items}\nfields:\n  sku: {path: sku, required: true}\n")
    assert not mapping.emits_only_fields_of(Line)


def test_what_it_guards_a_misspelt_target_is_only_caught_by_forbid(
    compile_yaml: CompileYaml,
) -> None:
    # why the proof is needed before extra="ignore": ignore would drop the misspelt key silently
    mapping = compile_yaml("fields:\n  order_id: {path: id}\n  totl.value: {path: t}\n")
    data = mapping({"id": "A", "t": "5"})
    assert Order.__pydantic_validator__.validate_python(data, extra="ignore").total is None
    with pytest.raises(ValidationError, match="totl"):
        Order.__pydantic_validator__.validate_python(data)
    assert not mapping.emits_only_fields_of(Order)
