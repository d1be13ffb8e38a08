"""The audit trail (issue 14 item 7): sign-ins and failures, role and unit changes, personal-data
views and exports are recorded with who and from where; the auditor alone searches and exports
them; rows past the retention period go."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl import load_workbook

from hotline.audit.models import AuditEvent
from hotline.audit.services import prune
from hotline.dispatch.services import dispatch_ticket
from hotline.orgs.models import Staff
from hotline.tickets.tests.helpers import new_ticket, township_matter

Kind = AuditEvent.Kind


@pytest.fixture
def auditor(people):
    user = get_user_model().objects.create_user("auditor", password="pw-for-tests-only")
    Staff.objects.create(user=user, role=Staff.Role.AUDITOR, unit=people.centre)
    return user


def test_sign_ins_failures_and_lockouts_are_recorded_with_the_address(client, people):
    client.post("/login/", {"username": "operator", "password": "wrong"}, REMOTE_ADDR="203.0.113.4")
    client.post("/login/", {"username": "nobody", "password": "wrong"}, REMOTE_ADDR="203.0.113.4")
    client.post("/login/", {"username": "operator", "password": "pw-for-tests-only"}, REMOTE_ADDR="203.0.113.5")
    client.post("/logout/")
    rows = list(AuditEvent.objects.order_by("pk").values_list("kind", "username", "ip"))
    assert (Kind.LOGIN_FAILED, "operator", "203.0.113.4") in rows
    assert (Kind.LOGIN_FAILED, "nobody", "203.0.113.4") in rows
    assert (Kind.LOGIN, "operator", "203.0.113.5") in rows
    assert rows[-1][:2] == (Kind.LOGOUT, "operator")
    for _n in range(5):
        client.post("/login/", {"username": "dispatcher", "password": "wrong"})
    assert AuditEvent.objects.filter(kind=Kind.LOCKED_OUT, username="dispatcher").exists()


def test_role_and_unit_changes_name_who_made_them(client, people, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-Admin-test-pw1")
    client.force_login(admin)
    staff = people.street.staff
    response = client.post(
        f"/admin/orgs/staff/{staff.pk}/change/",
        {"user": people.street.pk, "role": Staff.Role.UNIT_MANAGER, "unit": people.housing.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(kind=Kind.ROLE, target="street").latest("pk")
    assert event.username == "root" and "unit_manager" in event.detail and str(people.housing.pk) in event.detail
    # Saved again unchanged: no row.
    count = AuditEvent.objects.filter(kind=Kind.ROLE).count()
    Staff.objects.get(pk=staff.pk).save()
    assert AuditEvent.objects.filter(kind=Kind.ROLE).count() == count
    people.street.is_superuser = True
    people.street.save()
    assert AuditEvent.objects.filter(kind=Kind.ACCOUNT, target="street", detail__contains="'is_superuser': True")


def test_personal_data_views_and_exports_are_recorded(client, people):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    client.force_login(people.dispatcher)
    client.get(f"/tickets/{ticket.code}/")
    client.get("/search/?q=东关&export=xlsx")
    client.force_login(people.street)  # sees the requester masked: no personal-data row
    client.get(f"/tickets/{ticket.code}/")
    views = AuditEvent.objects.filter(kind=Kind.PERSONAL_DATA)
    assert list(views.values_list("username", "target")) == [("dispatcher", ticket.code)]
    export = AuditEvent.objects.get(kind=Kind.EXPORT)
    assert export.username == "dispatcher" and export.target == "/search/" and "export=xlsx" in export.detail


def test_only_the_auditor_reads_searches_and_exports_the_trail(client, people, auditor):
    client.post("/login/", {"username": "operator", "password": '=HYPERLINK("x")'}, REMOTE_ADDR="203.0.113.9")
    for user in (people.supervisor, people.street, people.operator):
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
    client.force_login(auditor)
    assert client.get("/", follow=True).request["PATH_INFO"] == "/audit/"
    page = client.get("/audit/?kind=login_failed&username=OPERATOR").content.decode()
    assert "203.0.113.9" in page and "审计" in page
    assert "203.0.113.9" not in client.get("/audit/?kind=login").content.decode()
    assert client.get("/audit/?since=not-a-date").status_code == 200  # a bad filter shows no rows
    response = client.get("/audit/?kind=login_failed&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and all(r[2] == "operator" for r in rows) and rows[0][3] == "203.0.113.9"
    assert AuditEvent.objects.filter(kind=Kind.EXPORT, username="auditor", target="audit").exists()


def test_rows_past_the_retention_period_are_deleted(people, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    now = timezone.now()
    AuditEvent.objects.all().delete()
    for days in (1, 179, 181, 400):
        AuditEvent.objects.create(at=now - dt.timedelta(days=days), kind=Kind.LOGIN, username=f"d{days}")
    assert prune(now) == 2
    assert sorted(AuditEvent.objects.values_list("username", flat=True)) == ["d1", "d179"]
    assert prune(now) == 0
