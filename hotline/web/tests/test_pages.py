"""The demo's pages: Chinese, signed-in only, and scoped to the viewer."""

import pytest

from hotline.dispatch.services import dispatch_ticket
from hotline.tickets.tests.helpers import new_ticket, township_matter


@pytest.fixture
def dispatched(people):
    ticket = new_ticket(people.operator, content="<script>alert(1)</script>楼道堆放杂物")
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    return ticket


def test_pages_need_a_login(client, people):
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "登录" in client.get("/login/").content.decode()


def test_the_pages_speak_chinese(client, people, dispatched):
    client.force_login(people.supervisor)
    html = client.get("/", follow=True).content.decode()
    assert "督办池" in html and "红色" in html and dispatched.code in html
    assert "<script>alert(1)</script>" not in html


def test_a_unit_sees_its_own_tickets_and_an_outsider_gets_404(client, people, dispatched):
    client.force_login(people.street)
    page = client.get(f"/tickets/{dispatched.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "139****5678" in html and "13912345678" not in html  # masked until the unit signs
    from hotline.tickets.models import PersonalDataAccess

    assert not PersonalDataAccess.objects.filter(viewer=people.street).exists()  # saw nothing personal
    client.force_login(people.outsider)
    assert client.get(f"/tickets/{dispatched.code}/").status_code == 404
    assert f">{dispatched.code}<" not in client.get("/inbox/").content.decode()


def test_the_centre_sees_the_timeline(client, people, dispatched):
    from hotline.tickets.models import PersonalDataAccess

    client.force_login(people.dispatcher)
    html = client.get(f"/tickets/{dispatched.code}/").content.decode()
    assert "13912345678" in html and "派单" in html and "已登记 → 已派单" in html
    assert PersonalDataAccess.objects.filter(ticket=dispatched, viewer=people.dispatcher).count() == 1


def test_the_admin_covers_the_reference_data(client, people, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-admin-test-pw")
    client.force_login(admin)
    for url in [
        "/admin/orgs/region/",
        "/admin/orgs/unit/",
        "/admin/catalog/matter/",
        "/admin/workcal/specialday/",
        "/admin/workcal/calendaryear/",
        "/admin/orgs/staff/",
        "/admin/auth/user/",
        "/admin/tickets/ticket/",
        f"/admin/auth/user/{people.street.pk}/change/",
        f"/admin/orgs/unit/{people.township.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
    people_page = client.get("/admin/auth/user/").content.decode()
    assert "承办人" in people_page and "东关大街街道" in people_page  # each person's role and unit


@pytest.mark.clock
def test_the_admin_warns_when_next_years_holidays_are_missing(client, people, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-admin-test-pw")
    from django.utils import timezone

    from hotline.workcal.models import CalendarYear

    next_year = timezone.localdate().year + 1
    CalendarYear.objects.update_or_create(year=next_year, defaults={"complete": False})
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    assert str(next_year) in html and "节假日安排" in html


def test_a_leader_reads_figures_not_phone_numbers(client, people, dispatched, django_user_model):
    from hotline.orgs.models import Staff

    leader = django_user_model.objects.create_user("leader", password="pw-for-tests-only")
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    client.force_login(leader)
    html = client.get(f"/tickets/{dispatched.code}/").content.decode()
    assert "139****5678" in html and "13912345678" not in html


def test_a_confidential_tip_never_shows_its_source_to_the_unit_even_after_signing(client, people):
    from hotline.handling.services import sign

    tip = new_ticket(people.operator, content="本单位有人收受好处，放任违建", kind="report", confidential=True)
    dispatch_ticket(tip, lead_unit=people.township, matter=township_matter())
    sign(tip, unit=people.township)
    client.force_login(people.street)
    html = client.get(f"/tickets/{tip.code}/").content.decode()
    assert "王先生" not in html and "5678" not in html and "保密" in html


def test_the_lead_unit_sees_the_phone_once_it_signed(client, people, dispatched):
    from hotline.handling.services import sign

    sign(dispatched, unit=people.township)
    client.force_login(people.street)
    assert "13912345678" in client.get(f"/tickets/{dispatched.code}/").content.decode()


def test_a_centre_role_at_a_unit_is_still_unit_staff(client, people, dispatched, django_user_model):
    from hotline.orgs.models import Staff

    boss = django_user_model.objects.create_user("boss", password="pw-for-tests-only")
    Staff.objects.create(user=boss, role=Staff.Role.SUPERVISOR, unit=people.township)
    client.force_login(boss)
    html = client.get(f"/tickets/{dispatched.code}/").content.decode()
    assert "139****5678" in html and "13912345678" not in html


def test_a_units_counts_count_each_ticket_once(client, people):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, co_units=[people.housing], matter=township_matter())
    client.force_login(people.street)
    html = client.get("/inbox/").content.decode()
    assert "<b>1</b><span>待签收" in html and html.count(f">{ticket.code}</a>") == 1
