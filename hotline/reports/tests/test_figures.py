"""The report's figures, checked against an independent count of the rows and against the dashboard."""

import datetime as dt
from collections import Counter

import pytest
from django.conf import settings
from django.utils import timezone

from hotline.evaluation.models import Revisit, Satisfaction
from hotline.orgs.models import Staff
from hotline.supervision.selectors import pool_counts
from hotline.reports.figures import NO_PLACE, dashboard_figures, period_figures
from hotline.reports.periods import Kind, period_for
from hotline.tickets.models import HANDLING, Status, Ticket, TicketEvent


def local_day(t: dt.datetime) -> dt.date:
    return timezone.localtime(t).date()


@pytest.mark.clock
def test_a_period_that_has_not_begun_is_refused(ref):
    with pytest.raises(ValueError, match="has not begun"):
        period_figures(Kind.DAILY, timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ValueError, match="paragraph"):
        period_figures(Kind.SAFETY_DAILY, timezone.localdate())


@pytest.mark.clock
def test_a_finished_day_counts_every_ticket_event_and_revisit_of_that_day(past_history):
    day = local_day(past_history) - dt.timedelta(days=1)
    f = period_figures(Kind.DAILY, day)
    assert not f.running
    # Recount from the rows themselves, in Python, without the ORM aggregates under test.
    tickets = [t for t in Ticket.objects.select_related("channel") if local_day(t.received_at) == day]
    before = [t for t in Ticket.objects.all() if local_day(t.received_at) == day - dt.timedelta(days=1)]
    assert f.total == len(tickets) > 0
    assert f.previous_total == len(before) > 0
    assert {r.key: r.n for r in f.by_channel} == dict(Counter(t.channel_id for t in tickets))
    # The districts add up to the total (未定位 and "whole city" rows included), and their overdue
    # column to the headline's overdue, which counts tickets overdue now whenever received (m11).
    assert sum(r.n for r in f.by_district) == f.total
    assert sum(r.n for r in f.by_district if r.key == NO_PLACE) == sum(1 for t in tickets if not t.region_id)
    assert sum(r.overdue for r in f.by_district) == f.overdue_open
    assert f.answered_directly == sum(t.status == Status.ANSWERED for t in tickets)
    events = [e for e in TicketEvent.objects.all() if local_day(e.created_at) == day]
    assert f.returns == sum(e.action == "return" for e in events)
    assert f.redispatches == sum(e.action == "dispatch" and e.from_status == Status.RETURNED for e in events)
    assert f.reopened == len({e.ticket_id for e in events if e.action == "reopen"})
    end = period_for(Kind.DAILY, day).end
    start = period_for(Kind.DAILY, day).start
    missed = [
        t
        for t in Ticket.objects.exclude(resolve_due=None)
        if start <= t.resolve_due < end
        and t.status not in (Status.ANSWERED, Status.MERGED, Status.INVALID, Status.REGISTERED)
        and (t.replied_at is None or t.replied_at > t.resolve_due)
    ]
    assert f.deadlines_missed == len(missed)
    # The three rates by their definition (hotline.evaluation.selectors): valid revisits only, and a
    # "basically satisfied" answer counts BASIC_SHARE of a satisfied one.
    valid = [r for r in Revisit.objects.all() if local_day(r.recorded_at) == day and r.outcome == Revisit.Outcome.VALID]
    assert f.rates["n"] == len(valid) > 0
    assert f.rates["response"] == pytest.approx(100 * sum(bool(r.contacted) for r in valid) / len(valid))
    assert f.rates["resolution"] == pytest.approx(100 * sum(bool(r.solved) for r in valid) / len(valid))
    weight = {Satisfaction.SATISFIED: 1, Satisfaction.BASIC: settings.EVALUATION["BASIC_SHARE"]}
    satisfied = sum(weight.get(r.satisfaction, 0) for r in valid)
    assert f.rates["satisfaction"] == pytest.approx(100 * satisfied / len(valid))
    # The top issues are the most frequent matters, each with examples from that matter.
    matters = Counter(t.matter_id for t in tickets if t.matter_id)
    assert [i.n for i in f.top_issues] == sorted(matters.values(), reverse=True)[: len(f.top_issues)]
    assert all(i.examples for i in f.top_issues)
    assert dict(f.trend)[day] == f.total


@pytest.mark.clock
def test_a_month_is_the_sum_of_its_days(past_history):
    day = local_day(past_history) - dt.timedelta(days=1)
    month = period_for(Kind.MONTHLY, day)
    month_figures = period_figures(Kind.MONTHLY, day, now=past_history)
    days = [period_figures(Kind.DAILY, d, now=past_history) for d in month.days if d <= day]
    assert month_figures.total == sum(d.total for d in days)
    assert month_figures.returns == sum(d.returns for d in days)
    assert sum(n for _d, n in month_figures.trend) == month_figures.total


@pytest.mark.clock
def test_the_report_agrees_with_the_leaders_dashboard_to_the_ticket(client, history, people, django_user_model):
    leader = django_user_model.objects.create_user(username="leader", password="pw-for-tests-only")
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    client.force_login(leader)
    page = client.get("/dashboard/").context
    today = timezone.localdate()
    month = period_figures(Kind.MONTHLY, today)
    day = period_figures(Kind.DAILY, today)

    assert month.total == page["period_count"]
    assert day.total == page["today_count"]
    assert month.overdue_open == page["overdue"]
    assert month.rates == page["rates"]
    if today.day > 1:  # just after midnight on the 1st the month is still empty
        assert month.total > 0 and month.rates["n"] > 0
    assert {r.name: (r.n, r.overdue) for r in month.by_district} == {
        d.name: (d.n, d.overdue) for d in page["districts"]
    }
    # m11: one figure for "overdue" on every screen: the dashboard's card, its district rows and
    # the supervision pool's red, for the same viewer at the same moment.
    assert sum(d.n for d in page["districts"]) == page["period_count"]
    assert sum(d.overdue for d in page["districts"]) == page["overdue"]
    at = timezone.now()
    assert pool_counts(leader, now=at)["red"] == dashboard_figures(leader, now=at).overdue
    dashboard_units = {row.key: row for row in page["units"]}
    assert sorted(r.n for r in month.by_unit) == sorted(row.n for row in page["units"])
    shared = [r for r in month.by_unit if r.key in dashboard_units]
    assert len(shared) >= len(page["units"]) // 2
    for r in shared:
        row = dashboard_units[r.key]
        assert (r.n, r.overdue, r.rates) == (row.n, row.overdue, row.rates)
    # Open tickets at the dashboard are the ones the report's overdue figure is taken from.
    assert page["open_count"] == Ticket.objects.filter(status__in=HANDLING).count()


@pytest.mark.clock
def test_the_monthly_report_agrees_with_hotline_rates_to_the_revisit(history):
    """`hotline rates --period` and the monthly report read the same revisits by the same definition."""
    import csv
    import io

    from django.core.management import call_command

    from hotline.evaluation.selectors import unit_scores

    today = timezone.localdate()
    figures = period_figures(Kind.MONTHLY, today, now=history)
    out = io.StringIO()
    call_command("rates", period=f"{today:%Y-%m}", format="csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    scores = [s for s in unit_scores(f"{today:%Y-%m}") if s["n"]]
    assert len(rows) >= len(scores) == len(scores) and sum(int(r["n"]) for r in rows) == figures.rates["n"] > 0
    valid = figures.rates["n"]
    assert round(sum(s["response"] * s["n"] for s in scores) / valid, 6) == round(figures.rates["response"], 6)
    assert round(sum(s["satisfaction"] * s["n"] for s in scores) / valid, 6) == round(figures.rates["satisfaction"], 6)


def test_district_rows_add_up_to_the_total_and_to_the_overdue_headline(people):
    """M2 + m11: a ticket with no place is counted as 未定位, and a district's overdue column
    counts its tickets overdue now whenever received, like the headline, so rows and totals agree."""
    from hotline.dispatch.services import dispatch_ticket
    from hotline.tickets.tests.helpers import at, new_ticket, township_matter

    old = new_ticket(people.operator, when=at(2026, 11, 2, 9))
    dispatch_ticket(old, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 10))
    new_ticket(people.operator, when=at(2026, 11, 20, 9), address="", content="我想问一下退休金什么时候发放。")
    new_ticket(people.operator, when=at(2026, 11, 20, 10))

    f = period_figures(Kind.DAILY, dt.date(2026, 11, 20), now=at(2026, 11, 20, 18))
    rows = {r.name: (r.n, r.overdue) for r in f.by_district}
    assert f.total == 2 and f.overdue_open == 1
    assert rows == {"城东区": (1, 1), "No place": (1, 0)}
    assert sum(r.n for r in f.by_district) == f.total
    assert sum(r.overdue for r in f.by_district) == f.overdue_open
    assert [(r.name, r.n) for r in f.by_category] == [("No matter", 2)]  # M12: categories add up too


@pytest.mark.clock
def test_a_district_overseer_sees_only_its_own_units_in_the_ranking(history, people, django_user_model, settings):
    """L2 of 2026-11-30: the district dashboard listed city-wide unit rankings and "参评 37 家"."""
    from hotline.orgs import areas
    from hotline.orgs.models import Unit

    settings.EVALUATION = {**settings.EVALUATION, "MIN_REVISITS": 1}
    district_unit = Unit.objects.get(code="D630102-GOVSVC")
    district = django_user_model.objects.create_user(username="district", password="pw-for-tests-only")
    Staff.objects.create(user=district, role=Staff.Role.DISTRICT, unit=district_unit)
    leader = django_user_model.objects.create_user(username="leader", password="pw-for-tests-only")
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    ours = set(Unit.objects.filter(areas.within("region__code", district_unit.region_id)).values_list("pk", flat=True))
    city = dashboard_figures(leader)
    mine = dashboard_figures(district)
    assert {r["key"] for r in city.scores} - ours, "the history ranks units outside the district"
    # Exactly the city-wide ranking's units of the district (on some days none of them is ranked).
    assert {r["key"] for r in mine.scores} == {r["key"] for r in city.scores} & ours
    # Same places as in the city-wide ranking, only fewer rows.
    city_rank = {r["key"]: r["rank"] for r in city.scores}
    assert all(r["rank"] == city_rank[r["key"]] for r in mine.scores)
    assert mine.headline["ranked"] == len(mine.ranked) < city.headline["ranked"]


def _listed(client, url: str) -> int:
    """How many tickets the list at ``url`` holds (search or pool, with its filters)."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert not response.context["filter"].errors, (url, response.context["filter"].errors)
    return response.context["page"].paginator.count


def _figures_and_links(page) -> list[tuple[str, int, str]]:
    """Every ticket-counting figure on the dashboard with the link it carries."""
    links = page["links"]
    out = [
        ("today", page["today_count"], links["today"]),
        ("period", page["period_count"], links["period"]),
        ("open", page["open_count"], links["open"]),
        ("overdue", page["overdue"], links["overdue"]),
    ]
    for d, n_link, late_link in page["district_rows"]:
        out += [(f"district {d.name}", d.n, n_link), (f"district {d.name} overdue", d.overdue, late_link)]
    for u, n_link, late_link in page["unit_rows"]:
        out += [(f"unit {u.name}", u.n, n_link), (f"unit {u.name} overdue", u.overdue, late_link)]
    out += [(f"channel {c.name}", c.n, href) for c, href in page["channels"]]
    out += [(f"day {day}", n, href) for day, n, href in page["trend"]]
    return out


@pytest.mark.clock
def test_every_figure_of_the_dashboard_opens_the_tickets_it_counts(client, history, people, django_user_model):
    """Item 5 of issue 13: a figure is a link, and the list it opens holds exactly that many tickets,
    under every period and with a district, a unit or a matter chosen."""
    leader = django_user_model.objects.create_user(username="leader", password="pw-for-tests-only")
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    client.force_login(leader)
    busiest = Ticket.objects.exclude(lead_unit=None).values_list("lead_unit__code", flat=True)
    unit = Counter(busiest).most_common(1)[0][0]
    category = Counter(t.matter.code[:2] for t in Ticket.objects.exclude(matter=None).select_related("matter"))
    district = Counter(t.region_id[:6] for t in Ticket.objects.exclude(region=None) if len(t.region_id) >= 9)
    queries = [
        "",
        "period=today",
        "period=week",
        "period=last_month",
        "period=30d",
        f"region={district.most_common(1)[0][0]}",
        f"unit={unit}",
        f"matter={category.most_common(1)[0][0]}",
        f"period=week&unit={unit}&matter={category.most_common(1)[0][0]}",
    ]
    checked = 0
    for query in queries:
        response = client.get(f"/dashboard/?{query}")
        assert response.status_code == 200, query
        figures = _figures_and_links(response.context)
        assert figures[1][1] > 0 or query.startswith("period=today") or "period" in query, query
        for name, figure, link in figures:
            assert _listed(client, link) == figure, (query, name, link)
            checked += 1
    assert checked > 60


@pytest.mark.clock
def test_a_filter_that_names_nothing_shows_its_error_and_no_figures(client, history, people, django_user_model):
    leader = django_user_model.objects.create_user(username="leader", password="pw-for-tests-only")
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    client.force_login(leader)
    for query in ("unit=no-such-unit", "matter=<script>", "period=decade", "region=" + "9" * 5000):
        response = client.get(f"/dashboard/?{query}")
        assert response.status_code == 400, query
        assert "figures" not in response.context and response.context["form"].errors
    # A name typed without script finds its entry as the code does.
    named = client.get(f"/dashboard/?unit={people.township.name}")
    by_code = client.get(f"/dashboard/?unit={people.township.code}")
    assert named.status_code == by_code.status_code == 200
    assert named.context["period_count"] == by_code.context["period_count"]


@pytest.mark.clock
def test_the_dashboard_and_the_report_view_read_in_a_fixed_number_of_queries(
    client, history, people, django_user_model, django_assert_max_num_queries
):
    """Speed (issue 13): every figure is one grouped query whatever the volume; the month's unit
    scores are counted once for the ranking and the zone headline, not twice."""
    leader = django_user_model.objects.create_user(username="leader", password="pw-for-tests-only")
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    client.force_login(leader)
    today = timezone.localdate()
    client.get("/dashboard/")
    # 29: one query more on some days (the first working day after National Day), none per row.
    with django_assert_max_num_queries(29):
        assert client.get("/dashboard/").status_code == 200
    with django_assert_max_num_queries(34):
        assert client.get(f"/dashboard/?period=week&unit={people.township.code}").status_code == 200
    leader.staff.role = Staff.Role.SUPERVISOR
    leader.staff.save()
    # 53: one more than before for the 110/119/120/122 transfers, and issue 15's fixed six (appeals,
    # operator quality, companies' requests this period and the previous one, dispatch timeliness,
    # the previous period's policy); none of them per row.
    with django_assert_max_num_queries(53):
        assert client.get(f"/reports/view/?kind=monthly&date={today:%Y-%m-%d}").status_code == 200


@pytest.mark.clock
def test_the_top_issues_examples_are_read_in_one_query_and_are_the_latest(history, django_assert_max_num_queries):
    """The top issues' examples were one query per matter (an N+1 over the ten top matters)."""
    from hotline.reports.figures import _top_issues
    from hotline.tickets.models import VOID

    today = timezone.localdate()
    month = period_for(Kind.MONTHLY, today)
    tickets = Ticket.objects.filter(received_at__gte=month.start, received_at__lt=history)
    before = Ticket.objects.filter(received_at__gte=month.previous().start, received_at__lt=month.previous().end)
    with django_assert_max_num_queries(4):
        issues = _top_issues(tickets, before)
    assert issues
    for issue in issues:
        expected = list(
            tickets.filter(matter__code=issue.code)
            .exclude(status__in=VOID)
            .order_by("-received_at", "-id")
            .values_list("title", flat=True)[:2]
        )
        assert issue.examples == expected
