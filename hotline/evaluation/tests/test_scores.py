"""The three rates, the composite, the minimum sample, zones, praise and ``hotline rates``."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import definitions, month_headline, parse_period, three_rates, unit_scores
from hotline.evaluation.services import record_praise
from hotline.tickets.tests.helpers import at, new_ticket


def revisits(ticket, unit, answers, when=None):
    """answers: (contacted, solved, satisfaction) tuples, or an outcome string for invalid ones."""
    for a in answers:
        if isinstance(a, str):
            Revisit.objects.create(ticket=ticket, lead_unit=unit, outcome=a, recorded_at=when or at(2026, 11, 10))
        else:
            Revisit.objects.create(
                ticket=ticket,
                lead_unit=unit,
                contacted=a[0],
                solved=a[1],
                satisfaction=a[2],
                recorded_at=when or at(2026, 11, 10),
            )


@pytest.fixture
def scored(people, settings):
    settings.EVALUATION = {**settings.EVALUATION, "MIN_REVISITS": 4, "BASIC_SHARE": 0.5}
    t1 = new_ticket(people.operator)
    t2 = new_ticket(people.operator, address="城北区朝阳街道祁连路8号")
    good = [(True, True, "satisfied")] * 4 + ["unreachable", "refused"]
    mixed = [(True, True, "satisfied"), (True, False, "basic"), (False, False, "dissatisfied"), (True, True, "basic")]
    revisits(t1, people.township, good)
    revisits(t2, people.housing, mixed)
    revisits(t2, people.other_township, [(True, True, "satisfied")] * 3)  # below the minimum
    revisits(t1, people.township, [(False, False, "dissatisfied")] * 5, when=at(2026, 12, 1, 0, 0))  # December
    return people


def test_rates_use_valid_revisits_only_and_the_basic_share(scored):
    rows = {r["key"]: r for r in unit_scores("2026-11")}
    good, mixed = rows[scored.township.pk], rows[scored.housing.pk]
    assert good["n"] == 4 and good["response"] == good["resolution"] == good["satisfaction"] == 100.0
    assert mixed["n"] == 4 and mixed["response"] == 75.0 and mixed["resolution"] == 50.0
    assert mixed["satisfaction"] == 100 * (1 + 0.5 * 2) / 4  # satisfied + half of "basically satisfied"
    assert mixed["composite"] == pytest.approx(0.2 * 75 + 0.4 * 50 + 0.4 * 50)


def test_a_unit_below_the_minimum_sample_is_shown_but_not_ranked(scored):
    rows = unit_scores("2026-11")
    small = next(r for r in rows if r["key"] == scored.other_township.pk)
    assert small["n"] == 3 and small["composite"] == 100.0
    assert small["rank"] is None and small["zone"] is None
    assert [r["rank"] for r in rows] == [1, 2, None]  # the unranked come last, even with a perfect score
    assert rows[0]["zone"] == "blue" and rows[1]["zone"] == "red"  # 100 vs 59


def test_zones_by_rank(scored, settings):
    settings.EVALUATION = {**settings.EVALUATION, "ZONE_MODE": "rank", "ZONE_BLUE_RANK": 0.5, "ZONE_RED_RANK": 0.5}
    assert [r["zone"] for r in unit_scores("2026-11")] == ["blue", "red", None]


def test_grouping_by_district_township_and_matter(scored):
    districts = unit_scores("2026-11", by="district")
    assert {r["name"] for r in districts} == {"城东区", "城北区"}
    assert sum(r["n"] for r in districts) == 11
    townships = unit_scores("2026-11", by="township")
    assert {r["name"] for r in townships} == {"东关大街街道", "朝阳街道"}
    assert unit_scores("2026-11", by="matter")[0]["name"]  # unknown matters are named, not dropped
    with pytest.raises(ValueError):
        unit_scores("2026-11", by="mood")


def test_an_empty_period_has_no_rows_and_no_rates(db):
    assert unit_scores("2025-01") == []
    assert three_rates(Revisit.objects.none())["satisfaction"] is None


@pytest.mark.parametrize("bad", ["", "2026-13", "26-11", "2026/11", "1999", "2026-11; DROP TABLE x"])
def test_malformed_periods_are_refused(bad):
    with pytest.raises(ValueError):
        parse_period(bad)


def test_definitions_follow_the_settings(db, settings):  # the policy is read from the dated rows
    settings.EVALUATION = {**settings.EVALUATION, "BASIC_SHARE": 0.6, "MIN_REVISITS": 25}
    text = definitions()
    assert "0.6" in text["satisfaction"] and "25" in text["sample"] and "40%" in text["composite"]


def test_praise_counts_once_per_call_and_the_headline(scored):
    ticket = new_ticket(scored.operator)
    _, created = record_praise(scored.township, ticket=ticket, note="工作人员很负责", at=at(2026, 11, 12))
    _, again = record_praise(scored.township, ticket=ticket, at=at(2026, 11, 12))
    record_praise(scored.housing, at=at(2026, 10, 12))
    assert created and not again
    assert next(r for r in unit_scores("2026-11") if r["key"] == scored.township.pk)["praise"] == 1
    head = month_headline("2026-11")
    assert head["ranked"] == 2 and head["blue"] == 1 and head["blue_share"] == 50.0 and head["praise"] == 1
    assert head["previous"]["period"] == "2026-10" and head["previous"]["praise"] == 1
    with pytest.raises(ValidationError):
        record_praise(None)


def test_rates_command_table_and_csv(scored):
    out = io.StringIO()
    call_command("rates", "--period", "2026-11", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "rank,zone,name,n,response,resolution,satisfaction,composite,praise"
    assert lines[1].startswith("1,blue,") and len(lines) == 4
    out = io.StringIO()
    call_command("rates", "--period", "2026-11", "--by", "district", stdout=out)
    assert "城东区" in out.getvalue() and "Valid revisits only" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("rates", "--period", "November")
    out = io.StringIO()
    call_command("rates", "--period", "2026-11", "--headline", stdout=out)
    assert out.getvalue().splitlines() == [
        "2026-10: 0/0 ranked units in the blue zone (—); praise 0",
        "2026-11: 1/2 ranked units in the blue zone (50.0%); praise 0",
    ]


def test_an_operator_cannot_record_a_voided_revisit(people):
    from hotline.evaluation.services import record_revisit

    ticket = new_ticket(people.operator)
    with pytest.raises(ValidationError):
        record_revisit(ticket, outcome="voided")


def test_voided_revisits_leave_the_rates(scored):
    Revisit.objects.filter(lead_unit=scored.housing, satisfaction="dissatisfied").update(outcome="voided")
    row = next(r for r in unit_scores("2026-11") if r["key"] == scored.housing.pk)
    assert row["n"] == 3
