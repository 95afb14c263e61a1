"""Code lists as data: every list loads, every scheme is canonical, countries of 2 and 3 letters."""

from __future__ import annotations

from pathlib import Path

import pytest

from canonical import ProductIdScheme
from mappings.codelists import code_list, country_alpha2
from mappings.transforms import get_transform

LISTS = sorted(
    p.stem for p in (Path(__file__).parents[2] / "mappings" / "codelists").glob("*.yaml")
)


@pytest.mark.parametrize("name", LISTS)
def test_every_list_names_its_standard_and_every_code(name: str) -> None:
    listed = code_list(name)
    assert listed.standard
    assert listed.element
    assert listed.codes
    assert all(entry.get("name") for entry in listed.codes.values())


@pytest.mark.parametrize("name", [n for n in LISTS if code_list(n).kind == "product_id"])
def test_every_code_names_a_canonical_scheme_or_is_an_attribute(name: str) -> None:
    listed = code_list(name)
    assert listed.codes
    for code, entry in listed.codes.items():
        assert entry.get("name"), code
        if entry.get("attribute") or entry.get("reference"):
            assert "scheme" not in entry, code
        else:
            assert ProductIdScheme(entry["scheme"]), code


def test_x12_case_codes_are_not_gtins_but_upc_and_ean_are() -> None:
    x12 = code_list("x12-235-product-id")
    assert x12.value("UA", "scheme") == "upc_case_code"
    assert x12.value("UI", "scheme") == "upc_consumer_package"
    assert x12.value("UP", "scheme") == "gtin"
    assert x12.value(" EN ", "scheme") == "gtin"
    assert x12.value("ZZ", "scheme", "other") == "other"


def test_an_unknown_list_names_the_known_ones() -> None:
    with pytest.raises(LookupError, match="x12-235-product-id"):
        code_list("nope")


@pytest.mark.parametrize(
    ("given", "alpha2"), [("US", "US"), ("USA", "US"), ("mex", "MX"), (" DEU ", "DE")]
)
def test_countries_of_two_and_three_letters(given: str, alpha2: str) -> None:
    assert country_alpha2(given) == alpha2
    assert get_transform("country")(given) == alpha2


@pytest.mark.parametrize("given", ["XX", "XYZ", "United States", "U"])
def test_a_country_that_is_no_iso_code_is_refused_by_name(given: str) -> None:
    with pytest.raises(ValueError, match=repr(given)):
        country_alpha2(given)
