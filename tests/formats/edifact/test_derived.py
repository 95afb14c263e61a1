"""The spec hooks derive prices per basis, variances, SKUs and addresses from the tree."""

from __future__ import annotations

from decimal import Decimal

from connectors.formats.edifact import ServiceChars
from connectors.formats.edifact.structures import build_tree
from connectors.formats.edifact.tokenizer import split_segment
from mappings.functions import edifact as derived


def _tree(kind: str, *segments: str) -> dict:  # type: ignore[type-arg]
    chars = ServiceChars()
    return build_tree(kind, [split_segment(s, chars) for s in segments])


def test_price_is_divided_by_its_basis_and_net_beats_gross() -> None:
    tree = _tree("INVOIC", "LIN+1", "QTY+47:10", "PRI+AAB:250:::100", "PRI+AAA:2.4")
    (line,) = tree["LIN"]
    assert derived.po_unit_price(line) == Decimal("2.5")
    assert derived.invoiced_unit_price(line) == Decimal("2.4")
    assert derived.line_price_variance(line) == Decimal("-0.1")
    assert derived.invoice_match_status(tree) == "mismatched"


def test_a_stated_zero_ordered_quantity_is_kept() -> None:
    tree = _tree("INVOIC", "LIN+1", "QTY+21:0", "QTY+47:3")
    (line,) = tree["LIN"]
    assert derived.ordered_quantity(line) == Decimal(0)
    assert derived.line_quantity_variance(line) == Decimal(3)


def test_sku_prefers_the_supplier_article_number() -> None:
    tree = _tree("ORDERS", "LIN+1++4000862141404:SRV", "PIA+5+X1:IN+SKU-9:SA", "LIN+2++A7:SA")
    first, second = tree["LIN"]
    assert derived.item_sku(first) == "SKU-9"
    assert derived.item_sku(second) == "A7"


def test_delivery_address_needs_more_than_an_identifier() -> None:
    gln_only = _tree("ORDERS", "NAD+DP+4012345000016::9")
    assert derived.delivery_address(gln_only) is None
    assert derived.delivery_method(gln_only) is None
    partial = _tree("ORDERS", "NAD+DP+1::9++Shop+Main St 1")
    assert derived.delivery_address(partial) == {
        "name": "Shop",
        "lines": ["Main St 1"],
        "city": None,
        "region": None,
        "postal_code": None,
        "country": None,
    }


def test_order_totals_sum_the_lines_when_the_summary_is_absent() -> None:
    tree = _tree("ORDERS", "LIN+1", "QTY+21:3", "PRI+AAA:1.5", "LIN+2", "QTY+21:2", "PRI+AAA:2")
    assert derived.order_subtotal(tree) == Decimal("8.5")
    assert derived.order_grand_total(tree) == Decimal("8.5")
    unpriced = _tree("ORDERS", "LIN+1", "QTY+21:3")
    assert derived.order_subtotal(unpriced) is None
