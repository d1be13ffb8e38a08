"""The Xining reference data: regions from the 民政部 data, units, communities from a file."""

import io

import pytest
from django.core.exceptions import ValidationError

from conftest import SHARED
from hotline.orgs import places
from hotline.orgs.models import Region, Unit
from hotline.orgs.services import import_communities, load_units


def test_city_districts_and_townships(ref):
    assert Region.objects.get(code="630100").name == "西宁市"
    districts = Region.objects.filter(level="district", parent_id="630100")
    assert districts.count() == 7
    assert Region.objects.filter(level="township", parent__parent_id="630100").count() == 76
    assert "湟中县" in Region.objects.get(name="湟中区").alias_list()


def test_every_township_has_an_office_and_every_district_its_departments(ref):
    townships = Region.objects.filter(level="township")
    offices = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP)
    assert set(offices.values_list("region_id", flat=True)) == set(townships.values_list("code", flat=True))
    assert Unit.objects.get(region_id="630102001", kind=Unit.Kind.TOWNSHIP).name == "城东区东关大街街道办事处"
    for district in Region.objects.filter(level="district"):
        carried = set(
            Unit.objects.filter(region=district, kind=Unit.Kind.DISTRICT_DEPT).values_list("functions__code", flat=True)
        )
        assert {"housing", "market_supervision", "human_resources", "education", "public_security"} <= carried, district
    assert Unit.objects.filter(kind=Unit.Kind.ENTERPRISE, functions__code="heating").exists()
    assert Unit.objects.filter(kind=Unit.Kind.CENTRE).count() == 1


def test_loading_twice_changes_nothing(ref):
    before = Unit.objects.count()
    load_units()
    assert Unit.objects.count() == before


def test_a_unit_file_with_unknown_references_is_refused_whole(ref):
    bad = io.StringIO(
        "code,name,short_name,kind,region_code,parent_code,functions,phone\nX-1,某局,某局,ministry,999999,,flying,\n"
    )
    before = Unit.objects.count()
    with pytest.raises(ValidationError) as err:
        load_units(bad)
    text = " ".join(err.value.messages)
    assert "ministry" in text and "999999" in text and "flying" in text
    assert Unit.objects.count() == before


def test_communities_from_the_statistics_file(ref):
    path = SHARED / "xining" / "xining_divisions.csv"
    if not path.exists():
        pytest.skip("../shared/datasets/xining/xining_divisions.csv is not present")
    count = import_communities(path)
    assert count > 900  # 1,100 in the file; those of townships since renamed are skipped
    assert Region.objects.get(code="630102001001").parent_id == "630102001"
    assert import_communities(path) == count  # a second import updates, never duplicates
    assert Region.objects.filter(level="community").count() == count


def test_a_community_file_without_the_columns_is_refused(ref):
    with pytest.raises(ValidationError, match="parent_code"):
        import_communities(io.StringIO("code,name,level\n1,x,village\n"))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("湟中县鲁沙尔镇塔尔寺路", "鲁沙尔镇"),
        ("大通县城关镇", "城关镇"),
        ("湟源县城关镇", "城关镇"),
        ("日月乡兔尔干村", "日月藏族乡"),
        ("城东区东关街道", "东关大街街道"),
        ("西宁市城西区胜利路街道", "胜利路街道"),
        ("城西区胜利路12号", "城西区"),  # a road named like a street office is not the office
        ("西宁市", "西宁市"),
    ],
)
def test_place_names_official_and_everyday(ref, text, expected):
    match = places.resolve(text)
    assert match.region is not None and match.region.name == expected
    if text.startswith("大通"):
        assert match.region.parent.name == "大通回族土族自治县"


def test_a_bare_ambiguous_township_is_unsure_and_another_city_is_outside(ref):
    assert places.resolve("城关镇").region is None
    assert places.resolve("兰州市城关区张掖路").outside == "兰州市"
    assert places.resolve("海东市平安区").outside == "海东市"
    assert places.resolve("城西区兰州路").outside == ""  # a road named after a city is still ours
