"""Routing is data: (matter, place) to the unit that owns it."""

from hotline.catalog.models import Matter
from hotline.dispatch.router import route
from hotline.orgs.models import Region, Unit


def leaf(owner_level, **extra):
    return Matter.objects.filter(is_leaf=True, owner_level=owner_level, **extra).order_by("code").first()


def test_township_matters_go_straight_to_the_street_office(ref):
    place = Region.objects.get(code="630102001")
    r = route(leaf("township"), place)
    assert r.unit.kind == Unit.Kind.TOWNSHIP and r.unit.region_id == "630102001"


def test_city_and_district_matters_are_never_pushed_down_to_a_street_office(ref):
    place = Region.objects.get(code="630104004")
    for matter in Matter.objects.filter(is_leaf=True, owner_level__in=["city_dept", "district_dept"]):
        r = route(matter, place)
        assert r.unit is not None, matter
        assert r.unit.kind in (Unit.Kind.CITY_DEPT, Unit.Kind.DISTRICT_DEPT), matter
        if matter.owner_level == "district_dept" and r.unit.kind == Unit.Kind.DISTRICT_DEPT:
            assert r.unit.region_id == "630104"
        assert r.unit.functions.filter(code=matter.function_id).exists()


def test_every_leaf_routes_somewhere_for_a_known_township(ref):
    place = Region.objects.get(code="630121101")  # 大通县城关镇
    unrouted = [m.code for m in Matter.objects.filter(is_leaf=True) if route(m, place).unit is None]
    assert unrouted == []


def test_enterprise_matters_prefer_the_county_company(ref):
    matter = leaf("enterprise", function_id="power_supply")
    county = route(matter, Region.objects.get(code="630121101")).unit
    city = route(matter, Region.objects.get(code="630102001")).unit
    assert county.region_id == "630121" and city.region_id == "630100"


def test_an_unknown_place_is_said_plainly(ref):
    assert route(leaf("township"), None).unit is None
    assert route(None, None).reason == "no leaf matter"
