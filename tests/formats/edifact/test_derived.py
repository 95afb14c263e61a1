"""The spec functions read qualifiers through the EDIFACT code lists, as the standard means them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from connectors.formats.edifact import ServiceChars
from connectors.formats.edifact.structures import build_tree
from connectors.formats.edifact.tokenizer import split_segment
from mappings.functions import edifact as derived
from mappings.partner_profile import PartnerProfile, active_profile


def _tree(kind: str, *segments: str) -> dict[str, Any]:
    chars = ServiceChars()
    return build_tree(kind, [split_segment(s, chars) for s in segments])


def test_price_is_divided_by_its_basis_and_net_beats_gross() -> None:
    tree = _tree("INVOIC", "LIN+1", "QTY+47:10", "PRI+AAB:250:::100", "PRI+AAA:2.4")
    (line,) = tree["LIN"]
    assert derived.po_unit_price(line) == Decimal("2.5")
    assert derived.invoiced_unit_price(line) == Decimal("2.4")
    assert derived.line_price_variance(line) == Decimal("-0.1")
    assert derived.invoice_match_status(tree) == "mismatched"


@pytest.mark.parametrize("qualifier", ["AAA", "INV", "CAL", "NTP", "CON", "CAT"])
def test_every_net_price_qualifier_is_the_price_paid(qualifier: str) -> None:
    (line,) = _tree("ORDERS", "LIN+1", "QTY+21:8:PCE", f"PRI+{qualifier}:5250.00")["LIN"]
    assert derived.net_unit_price(line) == Decimal("5250.00")


@pytest.mark.parametrize("qualifier", ["AAE", "AAF", "INF", "SRP"])
def test_an_information_price_is_never_the_price_paid(qualifier: str) -> None:
    (line,) = _tree("ORDERS", "LIN+1", "QTY+21:8", f"PRI+{qualifier}:9.99")["LIN"]
    assert derived.net_unit_price(line) is None
    gross = _tree("ORDERS", "LIN+1", f"PRI+{qualifier}:9.99", "PRI+AAB:7")["LIN"][0]
    assert derived.net_unit_price(gross) == Decimal(7)


def test_an_invoice_line_without_pri_is_priced_by_its_amount_over_its_quantity() -> None:
    (line,) = _tree("INVOIC", "LIN+1++4012345678901:SRV", "QTY+47:10:PCE", "MOA+203:125.00:EUR")[
        "LIN"
    ]
    assert derived.invoiced_unit_price(line) == Decimal("12.5")
    assert derived.po_unit_price(line) == Decimal("12.5")


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
    (isbn_only,) = _tree("ORDERS", "LIN+1", "PIA+5+0835201031:IB")["LIN"]
    assert derived.item_sku(isbn_only) == "0835201031"


def test_every_item_id_is_kept_typed_and_only_srv_en_up_are_gtins() -> None:
    (line,) = _tree(
        "ORDERS", "LIN+1++4000862141404:SRV", "PIA+1+636A0T00-01:SA+6344315800:MP+TA21/83:GS"
    )["LIN"]
    assert derived.product_ids(line) == [
        {"scheme": "gtin", "value": "4000862141404", "qualifier": "SRV"},
        {"scheme": "vendor_item", "value": "636A0T00-01", "qualifier": "SA"},
        {"scheme": "other", "value": "6344315800", "qualifier": "MP"},
        {"scheme": "other", "value": "TA21/83", "qualifier": "GS"},
    ]
    assert derived.item_gtin(line) == "4000862141404"
    (isbn,) = _tree("ORDERS", "LIN+1++0764569104:IB")["LIN"]
    assert derived.item_gtin(isbn) is None


@pytest.mark.parametrize("qualifier", ["SE", "SU", "II"])
def test_the_selling_party_is_the_supplier_whatever_its_qualifier(qualifier: str) -> None:
    tree = _tree("INVOIC", "NAD+BY+1111::9", f"NAD+{qualifier}+4000001000001::9")
    assert derived.supplier_id(tree) == "4000001000001"
    assert derived.buyer_id(tree) == "1111"


def test_a_supplier_named_without_id_is_known_by_its_references() -> None:
    tree = _tree("INVOIC", "NAD+SU++IBM UK", "RFF+VA:UK19430839", "RFF+ADE:00000767")
    assert derived.supplier_id(tree) == "UK19430839"
    assert derived.supplier_id(_tree("INVOIC", "NAD+SU++IBM UK")) is None


@pytest.mark.parametrize("qualifier", ["DP", "ST", "CN", "UC"])
def test_a_ship_to_given_as_a_gln_only_is_a_location_not_an_address(qualifier: str) -> None:
    tree = _tree("ORDERS", f"NAD+{qualifier}+5450534000109::9+++++++GB")
    assert derived.ship_to_location(tree) == "5450534000109"
    assert derived.delivery_address(tree) is None
    assert derived.delivery_method(tree) == "ship"


def test_a_partial_delivery_address_keeps_what_is_given() -> None:
    partial = _tree("ORDERS", "NAD+DP+1::9++Shop+Main St 1")
    assert derived.delivery_address(partial) == {
        "name": "Shop",
        "lines": ["Main St 1"],
        "city": None,
        "region": None,
        "postal_code": None,
        "country": None,
    }
    full = _tree("ORDERS", "NAD+ST+++Shop+Main St 1:Floor 2+Leeds+WYK+LS1 4AP+UK")
    address = derived.delivery_address(full)
    assert address is not None
    assert (address["lines"], address["country"]) == (["Main St 1", "Floor 2"], "GB")
    assert derived.ship_to_location(full) is None


def test_order_totals_are_only_what_the_summary_states() -> None:
    tree = _tree("ORDERS", "CUX+2:GBP:9", "LIN+1", "QTY+21:3", "PRI+AAA:1.5", "UNS+S", "MOA+86:9")
    assert derived.order_totals(tree) == {"grand_total": {"amount": Decimal(9), "currency": "GBP"}}
    unstated = _tree("ORDERS", "LIN+1", "QTY+21:3", "PRI+AAA:1.5")
    assert derived.order_totals(unstated) is None


def test_the_order_currency_is_the_agreed_one_only_for_a_priced_order() -> None:
    assert derived.order_currency(_tree("ORDERS", "LIN+1", "QTY+21:3", "PRI+AAA:1.5")) == "EUR"
    assert derived.order_currency(_tree("ORDERS", "LIN+1", "QTY+21:3")) is None
    priced = _tree("ORDERS", "LIN+1", "QTY+21:8", "PRI+INV:5250.00", "CUX+7:USD")
    assert derived.order_currency(priced) == "USD"


def test_order_lines_keep_the_senders_numbers_only_when_they_are_distinct() -> None:
    tree = _tree("ORDERS", "LIN+10", "QTY+21:1", "LIN+20", "QTY+21:1")
    assert [line["line_no"] for line in derived.order_lines(tree)] == [10, 20]
    unnumbered = _tree("ORDERS", "LIN+++70567894", "QTY+131:33", "LIN+1", "QTY+21:1")
    assert [line["line_no"] for line in derived.order_lines(unnumbered)] == [1, 2]


@pytest.mark.parametrize(
    ("value", "format_code", "iso"),
    [
        ("20240105", "102", "2024-01-05"),
        ("199910060000", "102", "1999-10-06T00:00:00"),  # the time written under 102
        ("202401051230", "203", "2024-01-05T12:30:00"),
        ("20240105123045", "204", "2024-01-05T12:30:45"),
        ("240105", "101", "2024-01-05"),
        ("990105", "101", "1999-01-05"),
        ("202401051230+0100", "205", "2024-01-05T12:30:00+01:00"),
        ("202401051230UTC", "303", "2024-01-05T12:30:00+00:00"),
        ("20240101-20240131", "718", "2024-01-01"),
        ("20260517", "", "2026-05-17"),  # no format code: the length says 102
    ],
)
def test_dates_are_read_in_their_2379_format(value: str, format_code: str, iso: str) -> None:
    assert derived.dtm_timestamp(value, format_code) == iso


def test_a_date_that_does_not_fit_its_format_is_named() -> None:
    with pytest.raises(ValueError, match=r"DTM value '2024' does not fit format 102"):
        derived.dtm_timestamp("2024", "102")


def test_an_order_without_dates_is_dated_by_its_interchange() -> None:
    tree = _tree("ORDERS", "BGM+220+PO1+9")
    tree["UNB"] = [split_segment("UNB+UNOA:2+S:14+R:14+140407:0910+0001", ServiceChars())]
    assert derived.order_date(tree) == "2014-04-07T09:10:00"
    tree["DTM"] = [split_segment("DTM+4:20060620:102", ServiceChars())]
    assert derived.order_date(tree) == "2006-06-20"


def test_units_map_older_codes_and_pass_rec20_codes_through() -> None:
    line = _tree("ORDERS", "LIN+1", "QTY+21:3:PCE")["LIN"][0]
    assert derived.order_line_unit(line) == "C62"
    assert derived.order_line_unit(_tree("ORDERS", "LIN+1", "QTY+21:3:KGM")["LIN"][0]) == "KGM"
    assert derived.order_line_unit(_tree("ORDERS", "LIN+1", "QTY+21:3")["LIN"][0]) == "C62"
    assert derived.order_line_unit(_tree("ORDERS", "LIN+1", "QTY+21:3:GBND")["LIN"][0]) == "XPK"


def _stock(*segments: str) -> list[tuple[Any, ...]]:
    tree = _tree("INVRPT", "BGM+35+R1", "DTM+137:20240601:102", *segments)
    return [
        (
            item["LIN"][1][1],
            item["stock"]["location"],
            item["stock"].get("counted"),
            item["stock"].get("change"),
            item["stock"]["reason"],
        )
        for item in derived.stock_positions(tree)
    ]


def test_qty_145_is_a_count_and_each_location_of_a_line_gives_its_own_figure() -> None:
    # EANCOM 1997: the quantity first, then its location
    assert _stock(
        "LIN+1++4000862141404:EN", "QTY+145:10", "LOC+14+S1", "QTY+145:5", "LOC+14+S2"
    ) == [
        ("1", "S1", Decimal(10), None, "cycle_count"),
        ("1", "S2", Decimal(5), None, "cycle_count"),
    ]


def test_a_location_written_before_its_quantity_stays_with_it() -> None:
    assert _stock("LIN+1++X:SA", "LOC+14+S1", "QTY+145:7", "LOC+14+S2", "QTY+145:8") == [
        ("1", "S1", Decimal(7), None, "cycle_count"),
        ("1", "S2", Decimal(8), None, "cycle_count"),
    ]


def test_eancom_2002_inventory_groups_open_with_inv() -> None:
    assert _stock(
        "LIN+1++X:SA", "INV+++1", "QTY+145:3:KGM", "LOC+14+S3", "INV+1", "QTY+199:2", "LOC+14+S3"
    ) == [
        ("1", "S3", Decimal(3), None, "cycle_count"),
        ("1", "S3", None, Decimal(-2), "transfer_out"),
    ]


def test_a_report_location_serves_lines_that_name_none() -> None:
    assert _stock("NAD+WH+5412345000099::9", "LIN+1++X:SA", "QTY+145:4") == [
        ("1", "5412345000099", Decimal(4), None, "cycle_count")
    ]
    assert _stock("LOC+18+DC1", "LIN+1++X:SA", "QTY+145:4") == [
        ("1", "DC1", Decimal(4), None, "cycle_count")
    ]
    assert _stock("LIN+1++X:SA", "QTY+145:4") == [("1", None, Decimal(4), None, "cycle_count")]


def test_a_lines_total_beside_its_located_figures_gives_no_event() -> None:
    assert _stock("LIN+1++X:SA", "QTY+145:9", "LOC+14+S1", "QTY+145:4") == [
        ("1", "S1", Decimal(9), None, "cycle_count")
    ]


def test_planning_figures_are_not_stock_and_movements_take_their_sign() -> None:
    assert _stock(
        "LIN+1++X:SA", "QTY+146:50", "QTY+198:5", "QTY+197:2", "QTY+212:3", "QTY+81:12"
    ) == [
        ("1", None, None, Decimal(-3), "sale"),
        ("1", None, None, Decimal(12), "receipt"),
    ]


def test_a_move_between_outlets_is_signed_by_its_inv_direction() -> None:
    # EANCOM 1997 writes INV after its QTY; a move with no direction is not placed
    assert _stock("LIN+1++X:SA", "QTY+98E:4", "INV+2", "QTY+98E:1", "INV+1", "QTY+98E:6") == [
        ("1", None, None, Decimal(4), "transfer_in"),
        ("1", None, None, Decimal(-1), "transfer_out"),
    ]


def test_the_partner_profile_decides_what_the_standard_leaves_to_the_partners() -> None:
    (line,) = _tree("ORDERS", "LIN+1++4000862141404:SRV", "PIA+5+X1:IN+SKU-9:SA", "QTY+21:3")["LIN"]
    unpriced = _tree("ORDERS", "LIN+1", "QTY+21:3", "PRI+AAA:1.5")
    report = _tree("INVRPT", "BGM+35+R1", "LIN+1++X:SA", "QTY+145:4")
    profile = PartnerProfile(
        name="acme",
        sku_qualifiers=("IN",),
        default_unit="KGM",
        date_century=19,
        default_currency="CHF",
        default_location="DC-7",
    )
    with active_profile(profile):
        assert derived.item_sku(line) == "X1"
        assert derived.order_line_unit(line) == "KGM"
        assert derived.dtm_timestamp("040317", "101") == "1904-03-17"
        assert derived.order_currency(unpriced) == "CHF"
        assert derived.invoice_currency(unpriced) == "CHF"
        assert derived.stock_positions(report)[0]["stock"]["location"] == "DC-7"
    # a preference the line cannot meet falls back to the spec's own order
    with active_profile(PartnerProfile(name="b", sku_qualifiers=("BP",))):
        assert derived.item_sku(line) == "SKU-9"
    assert derived.item_sku(line) == "SKU-9"
    assert derived.order_line_unit(line) == "C62"
    assert derived.dtm_timestamp("040317", "101") == "2004-03-17"
    assert derived.order_currency(unpriced) == "EUR"
    assert derived.stock_positions(report)[0]["stock"]["location"] is None
