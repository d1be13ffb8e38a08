"""A place's district and township, read from its region code: the one definition, in Python and
in the database, agree on every region of the reference data."""

import pytest
from django.db.models import CharField, Value

from hotline.orgs import areas
from hotline.orgs.models import Region


@pytest.mark.parametrize(
    ("code", "district", "township"),
    [
        ("630100", None, None),  # the city itself: no district
        ("630102", "630102", None),
        ("630102001", "630102", "630102001"),
        ("630102001001", "630102", "630102001"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_codes_nest(code, district, township):
    assert areas.district_code_of(code) == district
    assert areas.township_code_of(code) == township


def test_the_database_reads_codes_as_python_does(ref):
    rows = Region.objects.annotate(
        district=areas.district_code("code"), township=areas.township_code("code")
    ).values_list("code", "district", "township")
    assert len(rows) > 80
    for code, district, township in rows:
        assert (district, township) == (areas.district_code_of(code), areas.township_code_of(code)), code
    # The tree agrees with the codes: a township's district is its parent.
    for region in Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent"):
        assert areas.district_code_of(region.code) == region.parent_id


def test_a_missing_place_has_no_district_in_the_database(ref):
    rows = Region.objects.annotate(none=Value(None, output_field=CharField())).annotate(
        its_district=areas.district_code("none")
    )
    assert {r.its_district for r in rows[:3]} == {None}


def test_within_is_the_subtree(ref):
    district = Region.objects.filter(level=Region.Level.DISTRICT).first()
    inside = set(Region.objects.filter(areas.within("code", district.code)).values_list("code", flat=True))
    assert district.code in inside
    assert all(code.startswith(district.code) for code in inside)
    assert {r.code for r in Region.objects.filter(parent=district)} <= inside
