import pytest

from samverkan_common.errors import Invalid
from samverkan_registry.domain.model import Organisation, OrganisationKind
from samverkan_registry.domain.municipalities import MUNICIPALITIES, SubRegion, municipality


def test_region_has_49_municipalities_with_unique_codes_of_county_14():
    codes = [m.code for m in MUNICIPALITIES]
    assert len(codes) == 49
    assert len(set(codes)) == 49
    assert all(code.startswith("14") and len(code) == 4 and code.isdigit() for code in codes)


def test_sub_regions_hold_their_member_municipalities():
    sizes = {region: sum(m.sub_region is region for m in MUNICIPALITIES) for region in SubRegion}
    assert sizes == {
        SubRegion.FYRBODAL: 14,
        SubRegion.GOTEBORGSREGIONEN: 12,
        SubRegion.SJUHARAD: 8,
        SubRegion.SKARABORG: 15,
    }


@pytest.mark.parametrize(
    ("code", "name", "sub_region"),
    [
        ("1480", "Göteborg", SubRegion.GOTEBORGSREGIONEN),
        ("1401", "Härryda", SubRegion.GOTEBORGSREGIONEN),
        ("1488", "Trollhättan", SubRegion.FYRBODAL),
        ("1490", "Borås", SubRegion.SJUHARAD),
        ("1496", "Skövde", SubRegion.SKARABORG),
        ("1444", "Grästorp", SubRegion.SKARABORG),
        ("1492", "Åmål", SubRegion.FYRBODAL),
    ],
)
def test_known_codes_name_the_right_municipality(code, name, sub_region):
    found = municipality(code)
    assert found is not None
    assert (found.name, found.sub_region) == (name, sub_region)


@pytest.mark.parametrize("code", ["0180", "1384", "1583", "1400", "14800", ""])
def test_organisation_outside_vastra_gotaland_is_refused(code):
    # 0180 Stockholm, 1384 Kungsbacka (Halland), 1583 Borås's code before 1998.
    with pytest.raises(Invalid) as refused:
        Organisation(name="Föreningen", kind=OrganisationKind.OTHER, municipality_code=code)

    assert refused.value.code == "MUNICIPALITY_UNKNOWN"
    assert set(refused.value.errors) == {"municipality_code"}


def test_several_broken_rules_are_reported_together():
    with pytest.raises(Invalid) as refused:
        Organisation(name="  ", kind=OrganisationKind.OTHER, municipality_code="9999", organisation_number="123")

    assert refused.value.code == "ORGANISATION_INVALID"
    assert set(refused.value.errors) == {"name", "municipality_code", "organisation_number"}
