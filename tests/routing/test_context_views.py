"""The context's CEL views of ``data`` and ``facts``: only the fields read, each as CEL gets it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hub.routing.context import _cel_view, _only, to_cel
from hub.routing.taxonomy import Severity

VALUE: dict[str, Any] = {
    "text": "S1",
    "count": 3,
    "ratio": 0.5,
    "flag": True,
    "none": None,
    "amount": Decimal("12.50"),
    "quantity": {"value": Decimal("7"), "unit": "C62"},
    "lines": [Decimal("1.5"), ("a", 2)],
    "day": date(2026, 11, 23),
    "at": datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
    "severity": Severity.parse("high"),
}


def test_a_view_of_some_fields_is_to_cel_of_those_fields_in_the_sets_order() -> None:
    for fields in (
        frozenset({"text", "amount"}),
        frozenset(VALUE),
        frozenset({"quantity", "lines", "missing"}),
        frozenset(),
        frozenset({"text", "amount"}),  # equal to the first, another set: its own order
    ):
        for _ in range(2):  # the second time, the view made the first time
            view = _cel_view(VALUE, fields)
            assert list(view.items()) == list(to_cel(_only(VALUE, fields)).items())
            assert [type(v) for v in view.values()] == [
                type(v) for v in to_cel(_only(VALUE, fields)).values()
            ]


def test_a_view_of_the_whole_value_converts_every_field() -> None:
    assert _cel_view(VALUE, None) == to_cel(VALUE)
