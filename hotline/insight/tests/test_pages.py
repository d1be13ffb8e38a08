"""The insight pages: who sees them, the project form, the before/after figures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from hotline.catalog.models import Matter
from hotline.insight.models import RectificationProject, SurgeWarning
from hotline.insight.services import create_project, project_effect, refresh_hotspots
from hotline.insight.warnings import scan_surges
from hotline.tickets.tests.helpers import new_ticket, township_matter

GATE = [
    "东关花园小区门口流动摊贩占道经营，车辆乱停，早晚出不去",
    "东关花园小区门口摊贩占道，乱停车堵住大门",
    "东关花园小区大门口摆摊占道，车辆乱停乱放",
]


@pytest.fixture
def cluster(people):
    now = timezone.now().replace(microsecond=0)
    matter = township_matter()
    # The first ticket on record, a month back: the surge scan has a baseline to compare with.
    new_ticket(
        people.operator, when=now - dt.timedelta(days=30), requester_phone="13700000000", content="咨询社保卡补办"
    )
    tickets = []
    for i in range(8):
        tickets.append(
            new_ticket(
                people.operator,
                when=now - dt.timedelta(days=3, hours=i),
                requester_phone=f"1390000{i:04d}",
                content=GATE[i % 3],
                address="城东区东关大街街道东关花园小区",
                matter=matter.code,
            )
        )
    spots = refresh_hotspots(days=30, now=now)
    scan_surges(now)
    return now, matter, tickets, spots


def test_the_centre_sees_the_list_units_do_not(client, people, cluster):
    client.force_login(people.supervisor)
    page = client.get("/insight/")
    assert page.status_code == 200
    assert "东关花园" in page.content.decode()
    client.force_login(people.street)
    assert client.get("/insight/").status_code == 403
    assert client.get(f"/insight/hotspots/{cluster[3][0].pk}/").status_code == 403


def test_a_supervisor_turns_a_hot_issue_into_a_project(client, people, cluster):
    now, matter, tickets, spots = cluster
    client.force_login(people.supervisor)
    page = client.get(f"/insight/hotspots/{spots[0].pk}/")
    assert page.status_code == 200 and tickets[0].code in page.content.decode()
    # M8: the form offers the hot issue's matter, checked; the project keeps it, so its
    # before/after counts that problem at the place and not every other complaint there.
    assert re.search(rf'<input type="checkbox" name="matters" value="{matter.pk}"[^>]*checked', page.content.decode())
    other = Matter.objects.filter(is_leaf=True).exclude(pk=matter.pk).order_by("code").first()
    for i in range(2):
        new_ticket(
            people.operator,
            when=now - dt.timedelta(days=2, hours=i),
            requester_phone=f"1370000{i:04d}",
            content="东关花园小区楼下噪音扰民",
            address="城东区东关大街街道东关花园小区",
            matter=other.code,
        )
    posted = client.post(
        f"/insight/hotspots/{spots[0].pk}/project/",
        {
            "matters": [matter.pk],
            "title": "东关花园小区门口综合整治",
            "lead_unit": people.township.pk,
            "place": "东关花园小区",
            "measures": "设置临时摊点，增加停车位，安装监控",
            "measures_from": (now - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
            "milestones": "2026-12-01 摊点迁入便民市场\n2026-12-15 停车位划线",
        },
    )
    project = RectificationProject.objects.get()
    assert posted.status_code == 302 and posted.url == f"/insight/projects/{project.pk}/"
    assert project.tickets.count() == 8 and project.milestones.count() == 2
    assert list(project.matters.all()) == [matter]
    assert project_effect(project, now=now)["before"] == 8  # not 10: the noise complaints are another matter
    # Created by the service without naming matters, a project takes the hot issue's.
    same = create_project(
        title="t", lead_unit=people.township, place="东关花园小区", measures="m", measures_from=now, hotspot=spots[0]
    )
    assert list(same.matters.all()) == [matter]
    page = client.get(posted.url)
    assert page.status_code == 200 and "东关花园小区门口综合整治" in page.content.decode()
    # The lead unit sees its project and marks a milestone reached; another township does neither.
    first = project.milestones.first()
    client.force_login(people.outsider)
    assert client.get(posted.url).status_code == 404
    assert client.post(f"/insight/projects/{project.pk}/milestones/{first.pk}/done/").status_code == 404
    client.force_login(people.operator)
    assert client.post(f"/insight/projects/{project.pk}/milestones/{first.pk}/done/").status_code == 403
    client.force_login(people.street)
    assert client.get(posted.url).status_code == 200
    client.post(f"/insight/projects/{project.pk}/milestones/{first.pk}/done/")
    first.refresh_from_db()
    done = first.done_at
    assert done is not None
    client.post(f"/insight/projects/{project.pk}/milestones/{first.pk}/done/")  # twice: the first time stays
    first.refresh_from_db()
    assert first.done_at == done


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "place": "东关花园小区", "measures": "x", "milestones": ""},
        {"title": "t", "place": "东关花园小区", "measures": "x", "milestones": "next week do things"},
        {"title": "t", "place": "   ", "measures": "x", "milestones": ""},
    ],
)
def test_a_bad_project_form_writes_nothing(client, people, cluster, data):
    client.force_login(people.supervisor)
    data = {**data, "lead_unit": people.township.pk, "measures_from": "2026-11-01 08:00"}
    assert client.post(f"/insight/hotspots/{cluster[3][0].pk}/project/", data).status_code == 400
    assert not RectificationProject.objects.exists()


def test_operators_cannot_create_projects_or_acknowledge(client, people, cluster):
    client.force_login(people.operator)
    assert client.post(f"/insight/hotspots/{cluster[3][0].pk}/project/", {}).status_code == 403
    warning = SurgeWarning.objects.get()
    assert client.post(f"/insight/warnings/{warning.pk}/acknowledge/").status_code == 403
    client.force_login(people.supervisor)
    page = client.get(f"/insight/warnings/{warning.pk}/")
    assert page.status_code == 200
    # m6: the surge came over a zero baseline: it is new, not "8.0× the baseline".
    assert warning.baseline == 0 and "新出现" in page.content.decode() and "×" not in page.content.decode()
    assert "新出现" in client.get("/insight/").content.decode()
    client.post(f"/insight/warnings/{warning.pk}/acknowledge/")
    assert SurgeWarning.objects.get().state == "acknowledged"


def test_before_and_after_counts(people):
    matter = township_matter()
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=10)
    for i in range(6):  # six complaints in the 30 days before
        new_ticket(
            people.operator,
            when=start - dt.timedelta(days=i + 1),
            requester_phone=f"1390000{i:04d}",
            content=GATE[0],
            address="城东区东关大街街道东关花园小区",
            matter=matter.code,
        )
    new_ticket(
        people.operator,
        when=start + dt.timedelta(days=2),
        requester_phone="13900009999",
        content=GATE[1],
        address="城东区东关大街街道东关花园小区",
        matter=matter.code,
    )
    project = create_project(
        title="整治",
        lead_unit=people.township,
        place="东关花园小区",
        measures="摊点入市",
        measures_from=start,
        matters=[matter],
    )
    effect = project_effect(project)
    assert (effect["before"], effect["after"]) == (6, 1)
    # The record starts six days before the measures: six a day-ish before, scaled to the ten days since.
    assert effect["days_before"] == pytest.approx(6.0, abs=0.01) and effect["days_after"] == pytest.approx(10.0)
    assert effect["before_scaled"] == pytest.approx(10.0, abs=0.05)
    assert effect["fell"] and effect["change_pct"] == pytest.approx(-90.0, abs=0.5)
    # Measures that start now: nothing after yet, nothing to compare.
    fresh = create_project(
        title="新", lead_unit=people.township, place="东关花园小区", measures="x", measures_from=timezone.now()
    )
    assert project_effect(fresh)["change_pct"] is None and project_effect(fresh)["after"] == 0
    with pytest.raises(ValueError):
        project_effect(project, days=0)


def test_a_projects_lead_unit_sees_only_the_linked_tickets_it_may_open(client, people, cluster):
    """L1 of 2026-11-30: the lead unit saw every linked ticket's code, title and address."""
    from hotline.dispatch.services import dispatch_ticket

    now, matter, tickets, spots = cluster
    dispatch_ticket(tickets[0], lead_unit=people.township, matter=matter)
    project = create_project(
        title="t", lead_unit=people.township, place="东关花园小区", measures="m", measures_from=now, hotspot=spots[0]
    )
    assert project.tickets.count() == 8
    client.force_login(people.street)
    page = client.get(f"/insight/projects/{project.pk}/").content.decode()
    assert tickets[0].code in page
    assert not [t.code for t in tickets[1:] if t.code in page]
    client.force_login(people.supervisor)
    page = client.get(f"/insight/projects/{project.pk}/").content.decode()
    assert all(t.code in page for t in tickets)
