"""The values IDoc specs compute: partner functions, dates, currencies, prices and units."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from canonical.quantity import check_unit_code
from mappings.codelists import code_list
from mappings.functions import idoc as f
from mappings.partner_profile import PartnerProfile, active_profile


def test_every_sap_unit_maps_to_an_accepted_rec20_code() -> None:
    units = code_list("sap-idoc-unit")
    assert units.kind == "unit"
    for code, entry in units.codes.items():
        assert check_unit_code(entry["rec20"]) == entry["rec20"], code


def test_partner_functions_name_the_invoicing_party_and_the_usual_roles() -> None:
    partners = code_list("sap-idoc-partner-function")
    roles = {code: partners.value(code, "role") for code in ("AG", "WE", "RE", "RG", "LF", "RS")}
    assert roles == {
        "AG": "sold_to",
        "WE": "ship_to",
        "RE": "bill_to",
        "RG": "payer",
        "LF": "supplier",
        "RS": "invoicing_party",
    }


def test_the_supplier_is_the_vendor_before_the_invoicing_party_whatever_their_order() -> None:
    doc: dict[str, Any] = {
        "E1EDKA1": [
            {"PARVW": "RS", "PARTN": "1710"},
            {"PARVW": "AG", "PARTN": "C1"},
            {"PARVW": "LF", "LIFNR": "V-9"},
        ]
    }
    assert f.supplier_id(doc) == "V-9"
    assert f.customer_id(doc) == "C1"
    del doc["E1EDKA1"][2]
    assert f.supplier_id(doc) == "1710"
    assert f.ship_to_id(doc) is None
    assert f.ship_method(doc) is None


def test_a_numeric_currency_key_gives_way_to_the_totals_iso_code() -> None:
    doc = {"E1EDK01": {"CURCY": "704"}, "E1EDS01": [{"SUMID": "002", "SUNIT": "eur"}]}
    assert f.document_currency(doc) == "EUR"
    assert f.document_currency({"E1EDK01": {"CURCY": "usd"}}) == "USD"
    assert f.document_currency({}) is None


_K03_012 = {"IDDAT": "012", "DATUM": "20260301"}
_K03_002 = {"IDDAT": "002", "DATUM": "20260310"}
_K03_EMPTY = {"IDDAT": "012", "DATUM": "00000000"}
_K02_001 = {"QUALF": "001", "DATUM": "20260302"}
_K03_025 = {"IDDAT": "025", "DATUM": "20260303", "UZEIT": "101500"}


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"E1EDK03": [_K03_002, _K03_012]}, "20260301000000"),
        ({"E1EDK03": _K03_EMPTY, "E1EDK02": _K02_001}, "20260302000000"),
        ({"E1EDK03": _K03_025}, "20260303101500"),
        ({"E1EDK03": _K03_002}, None),
    ],
)
def test_the_order_date_falls_back_through_the_standard_date_qualifiers(
    doc: dict[str, Any], expected: str | None
) -> None:
    assert f.order_date(doc) == expected


@pytest.mark.parametrize(
    ("item", "price"),
    [
        ({"VPREI": "12.50", "PEINH": "100"}, Decimal("0.125")),
        ({"VPREI": "3.20", "PEINH": "1"}, Decimal("3.20")),
        ({"VPREI": "3.20"}, Decimal("3.20")),
        ({"MENGE": "3"}, None),
    ],
)
def test_the_unit_price_is_the_price_per_price_unit(item: dict[str, str], price: Any) -> None:
    assert f.unit_price(item) == price


def test_an_invoice_line_with_its_net_value_only_is_priced_per_unit_to_four_places() -> None:
    assert f.billed_unit_price({"NETWR": "40.00", "MENGE": "12.500"}) == Decimal("3.2")
    assert f.billed_unit_price({"NETWR": "10.00", "MENGE": "3"}) == Decimal("3.3333")
    amount = {"E1EDP26": {"QUALF": "003", "BETRG": "9.00"}, "MENGE": "2"}
    assert f.billed_unit_price(amount) == Decimal("4.5")
    assert f.billed_unit_price({"MENGE": "2"}) is None


def test_a_trailing_minus_is_sap_s_negative_sign_never_dropped() -> None:
    # SAP writes a negative number into an IDoc's character field with the sign after the
    # digits (ABAP's character form of a packed number): 77.59- is minus 77.59
    credit = {"E1EDS01": {"SUMID": "011", "SUMME": "  77.59-"}, "E1EDK01": {"CURCY": "EUR"}}
    assert f.invoice_total(credit) == Decimal("-77.59")
    net = {"E1EDS01": {"SUMID": "002", "SUMME": "65.20- "}, "E1EDK01": {"CURCY": "EUR"}}
    assert f.net_total(net) == {"amount": Decimal("-65.20"), "currency": "EUR"}
    assert f.billed_unit_price({"NETWR": "10.00-", "MENGE": "4"}) == Decimal("-2.5")
    with pytest.raises(ValueError, match=r"SUMME of SUMID 011 '-77\.59-' is not a decimal"):
        f.invoice_total({"E1EDS01": {"SUMID": "011", "SUMME": "-77.59-"}})


def test_a_negative_movement_quantity_is_refused_its_direction_is_the_movement_type() -> None:
    # WMMBID02 quantities are unsigned; BWART says the direction. 4.000- on a surplus (701)
    # could mean either way, so it is refused by name rather than read as +4 or -4
    with pytest.raises(ValueError, match=r"ERFMG '4\.000-' is negative.*BWART 701"):
        f.movement_change({"BWART": "701", "ERFMG": "4.000-", "ERFME": "PCE"})
    assert f.movement_change({"BWART": "702", "ERFMG": " 4.000 "}) == Decimal("-4.000")


def test_a_price_unit_of_zero_and_an_unknown_unit_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="PEINH '0'"):
        f.unit_price({"VPREI": "1", "PEINH": "0"})
    with pytest.raises(ValueError, match="MENEE 'QQQ'"):
        f.line_unit({"MENEE": "QQQ"})
    assert f.line_unit({"MENEE": "ST"}) == "C62"
    assert f.line_unit({"MENEE": "XPX"}) == "XPX"  # a Rec 20 code is taken as it is


def test_line_ids_keep_every_qualifier_and_the_sku_follows_the_preference() -> None:
    item = {
        "E1EDP19": [
            {"QUALF": "001", "IDTNR": "BUY-1"},
            {"QUALF": "099", "IDTNR": "X-1"},
            {"QUALF": "003", "IDTNR": "4006381333931"},
        ],
        "MATNR": "M-1",
    }
    assert f.product_ids(item) == [
        {"scheme": "buyer_item", "value": "BUY-1", "qualifier": "001"},
        {"scheme": "other", "value": "X-1", "qualifier": "099"},
        {"scheme": "gtin", "value": "4006381333931", "qualifier": "003"},
    ]
    assert f.line_sku(item) == "4006381333931"
    assert f.line_sku({"MATNR": "M-1"}) == "M-1"
    assert f.line_sku({}) is None


def test_a_partner_country_prefers_the_iso_code_and_reads_alpha3() -> None:
    assert f.partner_country({"ISOAL": "US", "LAND1": "XX"}) == "US"
    assert f.partner_country({"LAND1": "DEU"}) == "DE"
    assert f.partner_country({}) is None


def test_a_partner_profile_chooses_the_sku_qualifier_unit_and_currency() -> None:
    item = {
        "E1EDP19": [
            {"QUALF": "002", "IDTNR": "V-1", "KTEXT": "vendor text"},
            {"QUALF": "001", "IDTNR": "BUY-1", "KTEXT": "buyer text"},
        ]
    }
    assert f.line_sku(item) == "V-1"
    profile = PartnerProfile(
        name="corner", sku_qualifiers=("001",), default_unit="C62", default_currency="USD"
    )
    with active_profile(profile):
        assert f.line_sku(item) == "BUY-1"
        assert f.line_description(item) == "buyer text"
        assert f.line_unit({}) == "C62"
        assert f.document_currency({"E1EDK01": {}}) == "USD"
    assert f.line_unit({}) is None
