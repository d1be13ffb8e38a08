"""The report pages: who may read them, the archive, a report on screen, downloads and regeneration."""

import datetime as dt

import pytest
from django.utils import timezone

from hotline.orgs.models import Staff
from hotline.reports.models import Report
from hotline.reports.periods import Kind
from hotline.reports.services import generate_report


@pytest.fixture
def leader(people, django_user_model):
    user = django_user_model.objects.create_user(username="leader", password="pw-for-tests-only")
    Staff.objects.create(user=user, role=Staff.Role.LEADER, unit=people.centre)
    return user


@pytest.mark.clock
def test_only_leaders_and_supervisors_read_reports(client, people, leader):
    assert client.get("/reports/").status_code == 302  # to the login page
    for user, status in ((people.street, 403), (people.operator, 403), (people.supervisor, 200), (leader, 200)):
        client.force_login(user)
        assert client.get("/reports/").status_code == status
        assert client.get(f"/reports/view/?kind=daily&date={timezone.localdate()}").status_code == status


@pytest.mark.clock
def test_the_archive_lists_periods_with_a_download_per_format(client, leader, archive_dir):
    day = timezone.localdate() - dt.timedelta(days=1)
    generate_report(Kind.DAILY, day, ["xlsx", "txt"])
    client.force_login(leader)
    page = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "日报" in page and day.isoformat() in page
    txt = Report.objects.get(format="txt")
    response = client.get(f"/reports/{txt.pk}/download/")
    assert response["Content-Type"].startswith("text/plain")
    assert f"daily-{day:%Y%m%d}.txt" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode("utf-8").startswith("12345热线日报")
    assert client.get("/reports/99999/download/").status_code == 404
    txt.file.delete(save=False)
    assert client.get(f"/reports/{txt.pk}/download/").status_code == 404


@pytest.mark.clock
def test_a_report_on_screen_shows_the_same_tables_as_the_files(client, leader, history):
    client.force_login(leader)
    yesterday = timezone.localdate() - dt.timedelta(days=1)  # a whole simulated day, whatever the hour
    response = client.get(f"/reports/view/?kind=monthly&date={yesterday}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert "12345热线月报" in page and "三率" in page and "本期热点问题" in page
    assert response.context["figures"].total > 0


@pytest.mark.clock
def test_the_safety_paragraph_on_screen(client, leader, history):
    client.force_login(leader)
    page = client.get(f"/reports/view/?kind=safety-daily&date={timezone.localdate()}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "共收到安全隐患举报" in page.content.decode() or "未收到安全隐患举报" in page.content.decode()


@pytest.mark.parametrize("query", ["kind=daily&date=2999-01-01", "kind=yearly&date=2026-11-01", "date=not-a-date", ""])
def test_bad_or_future_periods_show_the_form_again(client, leader, query):
    client.force_login(leader)
    response = client.get(f"/reports/view/?{query}")
    assert response.status_code == 200 and "report" not in response.context


@pytest.mark.clock
def test_regenerating_from_the_page_archives_every_format(client, leader, archive_dir):
    client.force_login(leader)
    day = timezone.localdate() - dt.timedelta(days=2)
    response = client.post("/reports/generate/", {"kind": "weekly", "date": day.isoformat()})
    assert response.status_code == 302
    assert set(Report.objects.values_list("format", flat=True)) == {"docx", "xlsx", "txt"}
    client.post("/reports/generate/", {"kind": "weekly", "date": day.isoformat()})
    assert Report.objects.count() == 3
    assert client.post("/reports/generate/", {"kind": "weekly", "date": "2999-01-01"}).status_code == 302
    assert client.get("/reports/generate/").status_code == 405
    assert Report.objects.count() == 3


@pytest.mark.clock
def test_the_admin_lists_the_archive_read_only(client, django_user_model, archive_dir, ref):
    generate_report(Kind.DAILY, timezone.localdate() - dt.timedelta(days=1), ["txt"])
    client.force_login(django_user_model.objects.create_superuser("root", password="x-admin-test-pw"))
    assert client.get("/admin/reports/report/").status_code == 200
    assert client.get("/admin/reports/report/add/").status_code == 403
