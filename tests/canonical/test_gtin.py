"""GTIN check digits: real GTINs pass, a wrong digit is named, random bodies round-trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from canonical import Gtin, check_gtin, gtin14, gtin_check_digit

GTIN = TypeAdapter(Gtin)


@pytest.mark.parametrize(
    "value",
    [
        "4006381333931",  # GTIN-13 (EAN-13)
        "036000291452",  # GTIN-12 (UPC-A)
        "96385074",  # GTIN-8 (EAN-8)
        "10012345678902",  # GTIN-14 (case code)
        "00012345600012",  # GTIN-14 with leading zeros kept as given
    ],
)
def test_real_gtins_are_accepted_unchanged(value: str) -> None:
    assert GTIN.validate_python(value) == value


def test_wrong_check_digit_error_names_the_expected_digit() -> None:
    with pytest.raises(ValidationError, match="GTIN 4006381333932: check digit 2 expected 1"):
        GTIN.validate_python("4006381333932")


@pytest.mark.parametrize("value", ["1234567", "123456789", "400638133393111", "400638133393X"])
def test_wrong_length_or_non_digits_are_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="expected 8, 12, 13 or 14 digits"):
        check_gtin(value)


def test_non_ascii_digits_are_rejected() -> None:
    # Arabic-Indic digits pass str.isdigit() but are not a GTIN.
    with pytest.raises(ValueError, match="digits"):
        check_gtin("٤٠٠٦٣٨١٣٣٣٩٣١")


def test_integer_input_is_rejected_because_it_would_lose_leading_zeros() -> None:
    with pytest.raises(ValidationError):
        GTIN.validate_python(36000291452)


def test_gtin14_pads_for_comparison() -> None:
    assert gtin14("036000291452") == "00036000291452"
    assert gtin14("96385074") == "00000096385074"


@given(
    body=st.text(alphabet="0123456789", min_size=7, max_size=13).filter(
        lambda s: len(s) + 1 in {8, 12, 13, 14}
    )
)
def test_body_plus_computed_check_digit_is_valid(body: str) -> None:
    value = body + str(gtin_check_digit(body))
    assert check_gtin(value) == value


@given(
    body=st.sampled_from([7, 11, 12, 13]).flatmap(
        lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
    ),
    data=st.data(),
)
def test_any_single_digit_change_is_rejected(body: str, data: st.DataObject) -> None:
    value = body + str(gtin_check_digit(body))
    position = data.draw(st.integers(min_value=0, max_value=len(value) - 1))
    new_digit = data.draw(st.sampled_from([d for d in "0123456789" if d != value[position]]))
    changed = value[:position] + new_digit + value[position + 1 :]
    with pytest.raises(ValueError, match="check digit"):
        check_gtin(changed)
