"""The X12 spec functions read values as the X12 element dictionary defines them.

Dates of 6 and 8 digits (the century of a six-digit one by the partner profile or the POSIX
window), times of 4 to 8, units through code list 355, product ids typed by qualifier (GTIN
check digits only under a GTIN qualifier), prices by basis or CTP, parties by role.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from mappings.functions import x12
from mappings.functions.x12.inventory import stock_positions
from mappings.functions.x12.invoices import (
    invoiced_unit_price,
    po_unit_price,
    price_variance,
    total_variance,
)
from mappings.functions.x12.orders import order_lines, order_number, requested_delivery
from mappings.functions.x12.parties import party_id
from mappings.functions.x12.product_ids import product_gtin, product_ids, product_sku
from mappings.functions.x12.values import implied_cents, parse_date, parse_time, unit
from mappings.partner_profile import PartnerProfile, active_profile

_MODULES = ["mappings.functions.x12"] + [
    f"mappings.functions.x12.{info.name}" for info in pkgutil.iter_modules(x12.__path__)
]


@pytest.mark.parametrize("name", _MODULES)
def test_every_module_states_its_api_in_a_sorted_all(name: str) -> None:
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert all(getattr(module, member) is not None for member in names)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20260315", date(2026, 3, 15)),
        ("040317", date(2004, 3, 17)),  # 003010's YYMMDD: 00-68 are 2000s
        ("691231", date(1969, 12, 31)),  # 69-99 are 1900s (the POSIX window)
        ("680101", date(2068, 1, 1)),
    ],
)
def test_dates_of_eight_and_six_digits(text: str, expected: date) -> None:
    assert parse_date(text, "BEG05") == expected


def test_the_partner_profile_sets_the_century_of_six_digit_dates() -> None:
    with active_profile(PartnerProfile(name="old", date_century=19)):
        assert parse_date("040317", "BEG05") == date(1904, 3, 17)
        assert parse_date("20040317", "BEG05") == date(2004, 3, 17)


@pytest.mark.parametrize("text", ["0403", "2026031", "20260231", "2026-03-15", ""])
def test_a_date_of_another_length_or_no_such_day_is_refused_naming_the_element(text: str) -> None:
    with pytest.raises(ValueError, match=f"BEG05 '{text}' is not a date"):
        parse_date(text, "BEG05")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0930", time(9, 30)),
        ("093015", time(9, 30, 15)),
        ("0930157", time(9, 30, 15, 700000)),  # HHMMSSD: tenths
        ("09301512", time(9, 30, 15, 120000)),  # HHMMSSDD: hundredths
    ],
)
def test_times_of_four_to_eight_digits(text: str, expected: time) -> None:
    assert parse_time(text, "BIA05") == expected


@pytest.mark.parametrize("text", ["930", "09301", "2460", "0960", "093015123"])
def test_a_time_of_another_length_or_no_such_minute_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=f"BIA05 '{text}' is not a time"):
        parse_time(text, "BIA05")


def test_n2_amounts_have_two_implied_decimals_unless_the_point_is_written() -> None:
    assert implied_cents("10000", "SAC05") == Decimal("100.00")
    assert implied_cents("100.00", "SAC05") == Decimal("100.00")
    assert implied_cents(None, "SAC05") is None


def test_units_come_from_the_code_list_and_zz_from_the_partner() -> None:
    assert unit("EA", "PO103") == "C62"
    assert unit("SF", "PO103") == "FTK"
    with pytest.raises(ValueError, match="PO103 'ZZ' is a mutually defined unit"):
        unit("ZZ", "PO103")
    with pytest.raises(ValueError, match="PO103 'QQ' is not a unit of measure"):
        unit("QQ", "PO103")
    with active_profile(PartnerProfile(name="p", default_unit="KGM")):
        assert unit("ZZ", "PO103") == "KGM"
        assert unit(None, "PO103") == "KGM"


def _po1(*pairs: str, price: str = "1.00", basis: str = "") -> dict[str, Any]:
    return {"PO1": ["PO1", "1", "2", "EA", price, basis, *pairs]}


def test_case_codes_and_short_upcs_are_kept_but_never_checked_as_gtins() -> None:
    item = _po1("UA", "10012345678902", "UI", "01234567890", "UP", "036000291452")
    assert product_ids(item) == [
        {"scheme": "upc_case_code", "value": "10012345678902", "qualifier": "UA"},
        {"scheme": "upc_consumer_package", "value": "01234567890", "qualifier": "UI"},
        {"scheme": "gtin", "value": "036000291452", "qualifier": "UP"},
    ]
    assert product_gtin(item) == "036000291452"


def test_a_gtin_qualifier_whose_value_is_no_gtin_keeps_the_id_as_the_senders() -> None:
    item = _po1("EN", "12345", "UP", "03600029145", "UP", "036000291453", "VN", "X1")
    schemes = [(i["qualifier"], i["scheme"]) for i in product_ids(item)]
    # 11 digits under UP: the U.P.C. without its check digit; a wrong check digit: not a GTIN
    assert schemes == [
        ("EN", "other"),
        ("UP", "upc_consumer_package"),
        ("UP", "other"),
        ("VN", "vendor_item"),
    ]
    assert product_gtin(item) is None


def test_attributes_and_references_are_not_product_ids() -> None:
    item = _po1("CL", "RED", "PD", "BLUE WIDGET", "PO", "4500012", "VN", "AB1")
    assert [i["qualifier"] for i in product_ids(item)] == ["VN"]


def test_the_sku_follows_the_partner_profile_else_the_buyers_own_numbers_first() -> None:
    item = _po1("UP", "036000291452", "VN", "AB3542", "IN", "77120")
    assert product_sku(item) == "77120"
    with active_profile(PartnerProfile(name="p", sku_qualifiers=("VN",))):
        assert product_sku(item) == "AB3542"
    assert product_sku(_po1("ZZ", "only-one")) == "only-one"


def test_a_line_without_a_product_id_is_refused_saying_what_it_gave() -> None:
    item = {"IT1": ["IT1", "", "1", "EA", "9.99", "", "PO", "DO091003"]}
    with pytest.raises(ValueError, match=r"IT1 names no product .*: it gives only PO 'DO091003'"):
        product_sku(item)


def test_a_return_line_names_its_item_by_bli01_02_and_bli08_to_bli13() -> None:
    # 004010 180 BLI: 01/02 an id pair, 03 quantity, 04 unit, 05 price code, 06 unit price,
    # 07 price unit, then 08/09, 10/11, 12/13 three more id pairs
    bli = ["BLI", "VN", "VX2332", "3", "EA", "CON", "4.35", "", "IN", "SKU-1001"]
    item = {"BLI": [*bli, "UP", "036000291452"]}
    assert [(i["qualifier"], i["value"]) for i in product_ids(item)] == [
        ("VN", "VX2332"),
        ("IN", "SKU-1001"),
        ("UP", "036000291452"),
    ]
    assert product_sku(item) == "SKU-1001"
    assert product_gtin(item) == "036000291452"


def test_a_qualifier_the_segment_ends_on_is_no_id() -> None:
    item = {"PO1": ["PO1", "1", "2", "EA", "1.00", "", "VN", "AB1", "UP"]}
    assert [i["qualifier"] for i in product_ids(item)] == ["VN"]


def _it1(quantity: str, price: str, basis: str) -> dict[str, Any]:
    return {"IT1": ["IT1", "1", quantity, "EA", price, basis, "VN", "AB1"]}


def test_an_invoiced_price_per_hundred_or_thousand_is_brought_to_one_unit() -> None:
    # IT105 (639) HP: IT104 prices a hundred units; TP a thousand; PE one
    hundred, thousand, each = (
        _it1("1000", "2.5", "HP"),
        _it1("2000", "40", "TP"),
        _it1("12", "1.15", "PE"),
    )
    assert [invoiced_unit_price(i) for i in (hundred, thousand, each)] == ["0.025", "0.04", "1.15"]
    assert po_unit_price(hundred) == "0.025"
    assert Decimal(price_variance(hundred) or "x") == 0
    # 1000 x 0.025 + 2000 x 0.04 + 12 x 1.15 = 118.80, the TDS
    invoice = {"IT1": [hundred, thousand, each], "TDS": ["TDS", "11880"]}
    assert Decimal(total_variance(invoice) or "x") == 0


def _lin_n1(entity: str, ident: str, *quantities: list[str]) -> dict[str, Any]:
    return {"N1": ["N1", entity, "", "92", ident], "QTY": list(quantities)}


def test_stock_stated_in_the_lin_loops_own_n1_loops_is_one_position_per_location() -> None:
    lin = {
        "LIN": ["LIN", "1", "SK", "SKU-1"],
        "QTY": [["QTY", "17", "100", "EA"]],
        "N1": [
            _lin_n1("WH", "DC-E", ["QTY", "17", "40", "EA"]),
            _lin_n1("WH", "DC-W", ["QTY", "33", "55", "EA"], ["QTY", "17", "60", "EA"]),
        ],
    }
    found = [(p["location"], p["quantity"]) for p in stock_positions({"LIN": [lin]})]
    assert found == [("DC-E", "40"), ("DC-W", "60")]


def test_a_qty_in_an_n1_loop_that_holds_no_stock_is_refused_naming_n101() -> None:
    lin = {"LIN": ["LIN", "1", "SK", "SKU-1"], "N1": [_lin_n1("BY", "B1", ["QTY", "17", "4"])]}
    with pytest.raises(ValueError, match=r"N101 'BY' states a QTY"):
        stock_positions({"LIN": [lin]})


def _order(*items: dict[str, Any], **segments: Any) -> dict[str, Any]:
    return {"BEG": ["BEG", "00", "SA", "PO-1", "", "20260301"], "PO1": list(items), **segments}


def test_a_unit_price_per_hundred_or_thousand_is_brought_to_one_unit() -> None:
    lines = order_lines(_order(_po1(price="45.00", basis="HP"), _po1(price="1.56", basis="TP")))
    assert [line["unit_price"]["amount"] for line in lines] == ["0.45", "0.00156"]
    free = order_lines(_order(_po1(price="9.99", basis="NC")))
    assert free[0]["unit_price"]["amount"] == "0"


def test_a_price_only_in_ctp_is_the_unit_cost_and_a_retail_price_is_not() -> None:
    ucp = _po1(price="") | {"CTP": [["CTP", "", "RTL", "29.99"], ["CTP", "", "UCP", "18.50"]]}
    retail_only = _po1(price="") | {"CTP": [["CTP", "", "RTL", "29.99"]]}
    lines = order_lines(_order(ucp, retail_only, _po1(price="")))
    assert [line["unit_price"] for line in lines] == [
        {"amount": "18.50", "currency": "USD"},
        None,
        None,
    ]


def test_currency_is_cur02_else_the_partners_else_us_dollars() -> None:
    euro = _order(_po1(), CUR=["CUR", "BY", "EUR"])
    assert order_lines(euro)[0]["unit_price"]["currency"] == "EUR"
    assert order_lines(_order(_po1()))[0]["unit_price"]["currency"] == "USD"
    with active_profile(PartnerProfile(name="p", default_currency="CAD")):
        assert order_lines(_order(_po1()))[0]["unit_price"]["currency"] == "CAD"


def test_an_850_that_cancels_an_order_is_refused_naming_beg01() -> None:
    cancel = _order(_po1()) | {"BEG": ["BEG", "01", "SA", "PO-1", "", "20260301"]}
    with pytest.raises(ValueError, match="BEG01 '01' cancels order 'PO-1'"):
        order_number(cancel)
    assert order_number(_order(_po1()) | {"BEG": ["BEG", "05", "SA", "PO-1"]}) == "PO-1"


def test_an_850_without_a_po1_line_is_refused() -> None:
    with pytest.raises(ValueError, match="no PO1 line item"):
        order_lines({"BEG": ["BEG", "00", "DS", "PO1"]})


def test_the_requested_delivery_date_ranks_002_before_063_and_needs_a_ship_to() -> None:
    dates = [["DTM", "063", "20260320"], ["DTM", "002", "20260318", "1400"]]
    ship_to = {"N1": [{"N1": ["N1", "ST", "", "92", "0791"]}]}
    assert requested_delivery(_order(_po1(), DTM=dates) | ship_to) == datetime(2026, 3, 18, 14)
    assert requested_delivery(_order(_po1(), DTM=dates)) is None


def test_a_party_id_by_role_takes_the_best_ranked_entity_that_gives_one() -> None:
    message = {
        "N1": [
            {"N1": ["N1", "VN", "VENDOR", "92", "V-9"]},
            {"N1": ["N1", "SU", "SUPPLIER"]},  # no id: the vendor's is taken
            {"N1": ["N1", "SE", "SELLER", "1", "S-1"]},
        ]
    }
    assert party_id(message, ("supplier",)) == "S-1"
