import pytest

from samverkan_common.errors import Invalid
from samverkan_registry.domain.model import (
    Organisation,
    OrganisationKind,
    luhn_valid,
    normalise_organisation_number,
)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("802002-4280", "802002-4280"),
        ("8020024280", "802002-4280"),
        (" 802400-1235 ", "802400-1235"),
        ("817600-5554", "817600-5554"),
        ("556677-8899", "556677-8899"),
    ],
)
def test_valid_number_is_accepted_with_or_without_hyphen_and_stored_with_it(given, stored):
    assert normalise_organisation_number(given) == stored


@pytest.mark.parametrize("number", ["802002-4281", "802002-4289", "8020024208"])
def test_wrong_check_digit_is_refused(number):
    with pytest.raises(Invalid) as refused:
        normalise_organisation_number(number)

    assert refused.value.code == "ORGANISATION_NUMBER_INVALID"
    assert "check digit" in refused.value.errors["organisation_number"][0]


@pytest.mark.parametrize("number", ["811212-1234", "800101-0001"])
def test_third_digit_below_two_is_refused_even_with_a_valid_check_digit(number):
    # Both are Luhn-valid: the third-digit rule alone must refuse them.
    assert luhn_valid(number.replace("-", ""))
    with pytest.raises(Invalid) as refused:
        normalise_organisation_number(number)

    assert refused.value.code == "ORGANISATION_NUMBER_INVALID"
    assert "third digit" in refused.value.errors["organisation_number"][0]


@pytest.mark.parametrize(
    "number", ["802002-428", "802002-42800", "80200-24280", "16802002-4280", "802002 4280", "80200A-4280", ""]
)
def test_number_of_other_shape_than_ten_digits_is_refused(number):
    with pytest.raises(Invalid) as refused:
        normalise_organisation_number(number)

    assert refused.value.errors == {
        "organisation_number": ["An organisation number has 10 digits, written NNNNNN-NNNN."]
    }


def test_luhn_check_matches_known_valid_numbers():
    assert luhn_valid("8020024280")
    assert not luhn_valid("8020024280"[:-1] + "1")


def test_organisation_stores_its_number_normalised():
    organisation = Organisation(
        name="Exempelföreningen",
        kind=OrganisationKind.IDEELL_FORENING,
        municipality_code="1480",
        organisation_number="8020024280",
    )
    assert organisation.organisation_number == "802002-4280"


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_organisation_without_number_is_allowed(blank):
    organisation = Organisation(
        name="Nätverket", kind=OrganisationKind.NATVERK, municipality_code="1490", organisation_number=blank
    )
    assert organisation.organisation_number is None


def test_organisation_with_invalid_number_names_the_field_and_the_rule():
    with pytest.raises(Invalid) as refused:
        Organisation(
            name="Exempelföreningen",
            kind=OrganisationKind.IDEELL_FORENING,
            municipality_code="1480",
            organisation_number="802002-4281",
        )

    assert refused.value.code == "ORGANISATION_NUMBER_INVALID"
    assert set(refused.value.errors) == {"organisation_number"}
