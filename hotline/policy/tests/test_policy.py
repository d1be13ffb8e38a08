"""Policy as dated rows (issue 15, item 9): each figure of a period is computed with the policy in
force then, a change made today leaves last month's ranking as it was, and a row in force is
never edited."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import definitions, parse_period, unit_scores
from hotline.policy import services
from hotline.policy.models import Policy
from hotline.reports.figures import period_figures
from hotline.reports.periods import Kind
from hotline.reports.render import layout
from hotline.supervision import orders
from hotline.supervision.models import OrderLevel, SupervisionOrder
from hotline.tickets.models import Urgency
from hotline.tickets.tests.helpers import new_ticket


@pytest.fixture(autouse=True)
def fresh_cache():
    services.clear_cache()
    yield
    services.clear_cache()  # the test's rows are rolled back without a signal


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def row(day: dt.date, **figures) -> Policy:
    """A row in force from ``day`` (written directly: add_policy refuses a past day, as it should)."""
    values = {**services.values_of_settings_as_fields(), **figures}
    return Policy.objects.create(effective_from=day, note="测试", **values)


def test_before_the_first_row_the_settings_are_the_policy(db):
    p = services.in_force(dt.date(2026, 1, 1))
    assert p.pk is None and p.effective_from is None
    assert "no dated policy row" in p.label


def test_each_day_reads_the_row_in_force_then(db):
    early = row(dt.date(2026, 1, 1), weight_response=1.0)
    late = row(dt.date(2026, 6, 1), weight_response=2.0)
    assert services.in_force(dt.date(2025, 12, 31)).pk is None
    assert services.in_force(dt.date(2026, 1, 1)).pk == early.pk
    assert services.in_force(dt.date(2026, 5, 31)).weights["response"] == 1.0
    assert services.in_force(dt.date(2026, 6, 1)).pk == late.pk
    assert services.in_force(dt.date(2030, 1, 1)).weights["response"] == 2.0


def _two_units(people, when):
    """Two units whose order turns on the weights: one contacts and pleases but does not solve,
    the other solves but neither contacts nor pleases."""
    ticket = new_ticket(people.operator, when=when)
    for _ in range(12):
        Revisit.objects.create(
            ticket=ticket,
            lead_unit=people.township,
            contacted=True,
            solved=False,
            satisfaction="satisfied",
            recorded_at=when,
        )
        Revisit.objects.create(
            ticket=ticket,
            lead_unit=people.housing,
            contacted=False,
            solved=True,
            satisfaction="dissatisfied",
            recorded_at=when,
        )


@pytest.mark.clock
def test_changing_a_weight_today_leaves_last_months_ranking_unchanged(people):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    _two_units(people, local(last_month + dt.timedelta(days=14)))
    _two_units(people, local(this_month, 0, 30))
    before = unit_scores(f"{last_month:%Y-%m}")
    assert [r["key"] for r in before] == [people.township.pk, people.housing.pk]  # 60 against 40

    services.add_policy(
        effective_from=today,
        note="解决率为唯一考核指标",
        weight_response=0.0,
        weight_resolution=1.0,
        weight_satisfaction=0.0,
    )
    after = unit_scores(f"{last_month:%Y-%m}")
    assert after == before  # every figure, rank and zone as published
    now = unit_scores(f"{this_month:%Y-%m}")
    assert [r["key"] for r in now] == [people.housing.pk, people.township.pk]  # the new weights
    assert now[0]["composite"] == 100.0
    # The report says which policy it used.
    with translation.override("en"):
        note = definitions(services.for_period(parse_period(f"{last_month:%Y-%m}").end))["policy"]
        assert "no dated policy row" in note
        assert today.isoformat() in definitions()["policy"]


@pytest.mark.clock
def test_the_monthly_report_names_its_policy(people):
    today = timezone.localdate()
    row(today - dt.timedelta(days=400), basic_share=0.7)
    with translation.override("en"):
        report = layout(period_figures(Kind.MONTHLY, today), with_charts=False)
    (rates,) = [t for t in report.tables if t.title == "The three rates"]
    assert f"in force from {today - dt.timedelta(days=400):%Y-%m-%d}" in rates.note
    assert "0.7 × basically satisfied" in rates.note


@pytest.mark.clock
@pytest.mark.parametrize(
    ("figures", "field"),
    [
        ({"weight_response": 0.0, "weight_resolution": 0.0, "weight_satisfaction": 0.0}, "weight_response"),
        ({"weight_response": -1.0}, "weight_response"),
        ({"basic_share": 1.5}, "basic_share"),
        ({"zone_blue": 90.0, "zone_yellow": 95.0}, "zone_yellow"),
        ({"zone_blue_rank": 0.7, "zone_red_rank": 0.5}, "zone_red_rank"),
        ({"zone_mode": "lottery"}, "zone_mode"),
        ({"ladder": []}, "ladder"),
        ({"ladder": [{"level": "shout", "offset_days": 1, "to": ["unit"]}]}, "ladder"),
        ({"ladder": [{"level": "notice", "offset_days": "1", "to": ["unit"]}]}, "ladder"),
        ({"ladder": [{"level": "notice", "offset_days": 1, "to": ["mayor"]}]}, "ladder"),
        ({"ladder": "<script>alert(1)</script>"}, "ladder"),
        ({"class_policies": {"unreasonable": "ignore"}}, "class_policies"),
        ({"class_policies": {"rude": "exclude"}}, "class_policies"),
        ({"class_policies": ["exclude"]}, "class_policies"),
        ({"dispatch_due": "emergency=20"}, "dispatch_due"),
        ({"dispatch_due": "emergency=20m,emergency=1h"}, "dispatch_due"),
        ({"response_due": "web=" + "9" * 500}, "response_due"),
    ],
)
def test_figures_that_make_no_sense_are_refused_and_nothing_is_written(db, figures, field):
    with pytest.raises(ValidationError) as refused:
        services.add_policy(effective_from=timezone.localdate(), note="试一试", **figures)
    assert field in refused.value.message_dict
    assert not Policy.objects.exists()


@pytest.mark.clock
def test_a_policy_cannot_start_in_the_past_twice_on_a_day_or_without_a_reason(db):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="today or later"):
        services.add_policy(effective_from=today - dt.timedelta(days=1), note="追溯")
    with pytest.raises(ValidationError, match="why"):
        services.add_policy(effective_from=today, note="   ")
    with pytest.raises(ValidationError, match="Unknown"):
        services.add_policy(effective_from=today, note="拼错", weight_speed=1.0)
    services.add_policy(effective_from=today, note="第一版")
    with pytest.raises(ValidationError, match="already"):
        services.add_policy(effective_from=today, note="重复")
    assert Policy.objects.count() == 1


@pytest.mark.clock
def test_a_new_row_starts_from_the_figures_in_force(db):
    today = timezone.localdate()
    row(today - dt.timedelta(days=30), min_revisits=25, dispatch_due="emergency=15m,normal=1d")
    new = services.add_policy(effective_from=today + dt.timedelta(days=1), note="只改权重", weight_response=0.5)
    assert new.min_revisits == 25 and new.dispatch_due == "emergency=15m,normal=1d"


@pytest.mark.clock
def test_the_dispatch_deadline_follows_the_policy_in_force_at_receipt(people):
    today = timezone.localdate()
    yesterday = new_ticket(
        people.operator, when=timezone.now() - dt.timedelta(days=1), urgency=Urgency.EMERGENCY, content="河堤渗水。"
    )
    services.add_policy(effective_from=today, note="特急十分钟派出", dispatch_due="emergency=10m,urgent=2h,normal=1d")
    now = new_ticket(people.operator, when=timezone.now(), urgency=Urgency.EMERGENCY, content="路面塌陷。")
    assert yesterday.dispatch_due - yesterday.received_at == dt.timedelta(minutes=20)
    assert now.dispatch_due - now.received_at == dt.timedelta(minutes=10)


@pytest.mark.clock
def test_the_ladder_is_the_policys(people, tmp_path, settings):
    settings.OUTBOX = {**settings.OUTBOX, "FILE": tmp_path / "outbox.jsonl"}
    services.add_policy(
        effective_from=timezone.localdate(),
        note="派单超时直接督办",
        ladder=[{"level": "notice", "offset_days": 0, "to": ["centre"]}],
    )
    ticket = new_ticket(people.operator, when=timezone.now() - dt.timedelta(hours=1), urgency=Urgency.EMERGENCY)
    issued = orders.escalate_dispatch()
    assert issued == {OrderLevel.NOTICE: 1}
    assert SupervisionOrder.objects.get(ticket=ticket).level == OrderLevel.NOTICE


@pytest.mark.clock
def test_the_admin_shows_a_row_in_force_read_only_and_refuses_a_past_start(admin_client):
    today = timezone.localdate()
    old = row(today - dt.timedelta(days=10))
    page = admin_client.get(f"/admin/policy/policy/{old.pk}/change/")
    assert page.status_code == 200 and b'name="weight_response"' not in page.content  # read-only
    refused = admin_client.post(f"/admin/policy/policy/{old.pk}/change/", {"note": "改"})
    assert refused.status_code == 403
    assert admin_client.post(f"/admin/policy/policy/{old.pk}/delete/", {"post": "yes"}).status_code == 403
    form = admin_client.get("/admin/policy/policy/add/")
    assert form.status_code == 200
    data = {
        **{k: v for k, v in services.values_of_settings_as_fields().items() if k not in ("ladder", "class_policies")},
        "ladder": '[{"level": "reminder", "offset_days": -1, "to": ["unit"]}]',
        "class_policies": '{"unreasonable": "exclude"}',
        "note": "新政策",
        "effective_from": f"{today - dt.timedelta(days=1):%Y-%m-%d}",
    }
    assert admin_client.post("/admin/policy/policy/add/", data).status_code == 200  # the form again, with the error
    assert Policy.objects.count() == 1
    data["effective_from"] = f"{today:%Y-%m-%d}"
    assert admin_client.post("/admin/policy/policy/add/", data).status_code == 302
    assert Policy.objects.count() == 2
