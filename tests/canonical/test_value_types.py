"""Money, currencies, quantities and units, identifiers, UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from canonical import CountryCode, LocationId, Money, Quantity, Sku, UtcDatetime
from canonical.currencies import ACTIVE_CURRENCY_CODES
from canonical.units import UNIT_CODES


def test_money_keeps_decimal_precision_and_serializes_amount_as_string() -> None:
    money = Money.model_validate({"amount": "12.50", "currency": "EUR"})
    assert money.amount == Decimal("12.50")
    assert money.model_dump_json() == '{"amount":"12.50","currency":"EUR"}'


def test_money_from_json_number_is_read_from_its_text_not_a_float() -> None:
    money = Money.model_validate_json('{"amount": 0.1, "currency": "USD"}')
    assert money.amount == Decimal("0.1")


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_money_rejects_non_finite_amounts(amount: str) -> None:
    with pytest.raises(ValidationError):
        Money.model_validate({"amount": amount, "currency": "EUR"})


@pytest.mark.parametrize("currency", ["usd", "XYZ", "EURO", "HRK", "BGN", "XAU", ""])
def test_money_rejects_unknown_lowercase_and_withdrawn_currencies(currency: str) -> None:
    with pytest.raises(ValidationError, match="not an active ISO 4217"):
        Money.model_validate({"amount": "1", "currency": currency})


def test_currency_list_holds_the_major_codes_and_only_three_uppercase_letters() -> None:
    assert {"EUR", "USD", "GBP", "JPY", "CHF", "CNY", "XCG", "ZWG"} <= ACTIVE_CURRENCY_CODES
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in ACTIVE_CURRENCY_CODES)
    assert 150 < len(ACTIVE_CURRENCY_CODES) < 185


def test_quantity_defaults_to_c62_each() -> None:
    assert Quantity.model_validate({"value": "3"}).unit == "C62"


@pytest.mark.parametrize(
    "unit",
    [
        "C62",
        "H87",
        "KGM",
        "GRM",
        "LTR",
        "MLT",
        "MTR",
        "PR",
        "DZN",
        "SET",
        "XBX",
        "XCT",
        "XPK",
        "XCS",
        "XPX",
        "MTK",
        "MTQ",
    ],
)
def test_common_rec20_units_are_accepted(unit: str) -> None:
    assert Quantity.model_validate({"value": "1", "unit": unit}).unit == unit


def test_each_is_rejected_with_a_hint_to_use_c62() -> None:
    with pytest.raises(ValidationError, match=r"unit 'EA' is not .* \(use C62"):
        Quantity.model_validate({"value": "1", "unit": "EA"})


@pytest.mark.parametrize("unit", ["BX", "CT", "kgm", "ZZ", "FOO"])
def test_legacy_lowercase_and_unknown_units_are_rejected_naming_the_code(unit: str) -> None:
    with pytest.raises(ValidationError, match=f"unit '{unit}' is not an accepted"):
        Quantity.model_validate({"value": "1", "unit": unit})


def test_unit_list_is_a_few_hundred_codes() -> None:
    assert 200 <= len(UNIT_CODES) <= 400
    assert "EA" not in UNIT_CODES
    # Every code is 2-3 upper-case letters/digits: catches two groups glued together.
    assert all((2 <= len(code) <= 3 and code.isupper()) or code.isdigit() for code in UNIT_CODES)
    assert {"LY", "MTK"} <= UNIT_CODES


def test_identifiers_are_stripped_and_must_not_be_empty() -> None:
    assert TypeAdapter(Sku).validate_python("  ABC-1 ") == "ABC-1"
    with pytest.raises(ValidationError):
        TypeAdapter(LocationId).validate_python("   ")
    with pytest.raises(ValidationError):
        TypeAdapter(Sku).validate_python("x" * 65)


def test_country_codes_are_iso_3166_alpha_2() -> None:
    adapter = TypeAdapter(CountryCode)
    assert adapter.validate_python("DE") == "DE"
    for bad in ("XK", "de", "DEU", "UK"):
        with pytest.raises(ValidationError, match="ISO 3166-1"):
            adapter.validate_python(bad)


def test_timestamps_are_normalised_to_utc_and_naive_ones_rejected() -> None:
    adapter = TypeAdapter(UtcDatetime)
    value = adapter.validate_python("2026-11-23T08:15:00+01:00")
    assert value == datetime(2026, 11, 23, 7, 15, tzinfo=UTC)
    assert value.utcoffset() == timedelta(0)
    assert adapter.dump_json(value) == b'"2026-11-23T07:15:00Z"'
    with pytest.raises(ValidationError):
        adapter.validate_python("2026-11-23T08:15:00")
