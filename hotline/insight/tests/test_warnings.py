"""Early warning: a surge against the township's own baseline, raised once; the monthly list."""

from __future__ import annotations

import datetime as dt

import pytest

from hotline.insight.models import SurgeWarning
from hotline.insight.warnings import find_surges, is_surge, monthly_candidates, scan_surges
from hotline.tickets.tests.helpers import at, new_ticket, township_matter

NOW = at(2026, 11, 20, 12)


def calls(people, n, *, days_ago, matter, address="城东区东关大街街道东关花园小区", phone0=13900000000):
    for i in range(n):
        new_ticket(
            people.operator,
            when=NOW - dt.timedelta(days=days_ago, hours=i % 20),
            requester_phone=str(phone0 + i),
            matter=matter.code,
            address=address,
            content=f"东关花园小区门口占道摆摊第{i}次",
        )


@pytest.mark.parametrize(
    "count,baseline,expected",
    [(0, 0, False), (7, 0, False), (8, 0, True), (8, 3, False), (9, 2, True), (20, 10, True), (19, 10, False)],
)
def test_the_surge_rule(count, baseline, expected):
    assert is_surge(count, baseline) is expected


@pytest.mark.parametrize("baseline,ratio", [(0.0, None), (0.3, None), (0.5, 16.0), (2.0, 4.0)])
def test_no_ratio_is_taken_over_a_baseline_of_next_to_nothing(baseline, ratio):
    """m6: 8 requests over a baseline of 0 are new, not "8.0×"; over 2 they are 4×."""
    warning = SurgeWarning(count=8, baseline=baseline)
    assert warning.ratio == ratio and warning.is_new is (ratio is None)


def test_a_surge_is_raised_once_with_its_tickets(people):
    matter = township_matter()
    for week in range(1, 9):
        calls(people, 1, days_ago=7 * week + 2, matter=matter, phone0=13800000000 + week * 100)
    calls(people, 8, days_ago=1, matter=matter)
    warnings = scan_surges(NOW)
    assert len(warnings) == 1
    w = warnings[0]
    assert (w.matter, w.region.name, w.count) == (matter, "东关大街街道", 8)
    assert w.baseline == pytest.approx(1.0)
    assert w.tickets.count() == 8
    # The worker runs hourly: the same surge is not raised again, nor an hour later.
    assert scan_surges(NOW) == []
    assert scan_surges(NOW + dt.timedelta(hours=1)) == []
    assert SurgeWarning.objects.count() == 1


def test_a_steady_matter_raises_nothing(people):
    matter = township_matter()
    for week in range(0, 9):
        calls(people, 6, days_ago=7 * week + 1, matter=matter, phone0=13800000000 + week * 100)
    assert find_surges(NOW)[1] == []


def test_a_young_database_has_no_baseline_yet(people):
    matter = township_matter()
    calls(people, 12, days_ago=1, matter=matter)  # nothing before this week: no judgement
    assert scan_surges(NOW) == []
    calls(people, 1, days_ago=15, matter=matter, phone0=13700000000)  # one full prior week on record
    assert len(scan_surges(NOW)) == 1


def test_empty_database_and_bad_arguments(db):
    assert scan_surges(NOW) == []
    with pytest.raises(ValueError):
        find_surges(NOW, days=0)


def test_monthly_candidates_list_the_surges(people):
    matter = township_matter()
    calls(people, 1, days_ago=70, matter=matter, phone0=13700000000)
    calls(people, 8, days_ago=1, matter=matter)
    scan_surges(NOW)
    found = monthly_candidates(2026, 11)
    assert [c.source for c in found] == ["surge"]
    assert matter.name in found[0].title
    assert monthly_candidates(2026, 10) == []


def test_the_surges_command_runs_the_scan(db):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("insight", "surges", stdout=out)
    assert out.getvalue().strip() == "0 new surge warnings"
