"""The public portal: submit, track, rate, typical cases and figures — and nothing personal leaks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.models import Revisit
from hotline.handling.services import record_contact, reply, sign
from hotline.publicity import services
from hotline.publicity.anonymise import anonymise
from hotline.publicity.models import TypicalCase
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import new_ticket, township_matter

NAME, PHONE = "欧阳建国", "13987651234"
CONTENT = f"我叫{NAME}，电话{PHONE}，住城东区东关大街12号3号楼2单元501室，楼下烧烤店油烟太大，身份证630102199001011234"


def old_challenge():
    question, token = services.make_challenge(now=timezone.now() - dt.timedelta(seconds=30))
    a, b = (int(x) for x in question.split(" = ")[0].split(" + "))
    return token, str(a + b)


def form(**changes):
    token, answer = old_challenge()
    data = {
        "kind": "complaint",
        "content": "东关大街夜市烧烤油烟扰民，晚上十点后还在营业",
        "address": "城东区东关大街",
        "requester_name": "",
        "requester_phone": "13900002222",
        "challenge": token,
        "answer": answer,
        "nonce": "n-" + changes.pop("nonce", "1"),
        "website": "",
    }
    data.update(changes)
    return data


def test_anonymise_removes_what_identifies_a_person():
    out = anonymise(CONTENT, names=(NAME,))
    for secret in [NAME, PHONE, "630102199001011234", "12号", "501室", "3号楼"]:
        assert secret not in out, secret
    assert "东关大街" in out and "烧烤" in out
    assert anonymise("王先生反映路灯不亮") == "王先生反映路灯不亮"  # already the published form
    for hostile in ["", " ", "<script>alert(1)</script>", "😀" * 1000]:
        assert anonymise(hostile) == hostile  # nothing personal: left exactly as it was
    assert anonymise("1" * 100_000) == "*" * 100_000  # a huge number is masked whole, quickly


def test_a_citizen_submits_once_even_when_the_form_is_sent_twice(ref):
    client = Client()
    assert "?" in client.get("/public/submit/").content.decode()
    first = client.post("/public/submit/", form(nonce="same"))
    second = client.post("/public/submit/", form(nonce="same"))
    assert first.status_code == second.status_code == 200
    tickets = Ticket.objects.filter(channel__code="web_portal", requester_phone="13900002222")
    assert tickets.count() == 1 and tickets.get().code in second.content.decode()


def test_bad_and_scripted_submissions_are_refused_and_change_nothing(ref):
    client = Client()
    before = Ticket.objects.count()
    token_now, _question = services.make_challenge()[1], None
    for bad in [
        {"answer": "999"},
        {"challenge": "forged", "answer": "3"},
        {"challenge": token_now, "answer": "0"},  # too fast for a person, and wrong
        {"website": "http://spam.example"},
        {"content": ""},
        {"content": "很" * 2001},
        {"requester_phone": "12345"},
        {"address": "北京市朝阳区建国路1号"},
        {"kind": "bogus"},
    ]:
        response = client.post("/public/submit/", form(nonce=str(bad), **bad))
        assert response.status_code == 400, bad
    assert Ticket.objects.count() == before


def test_submissions_are_limited_per_network(ref):
    client = Client(REMOTE_ADDR="10.1.2.3")
    for n in range(5):
        assert client.post("/public/submit/", form(nonce=f"burst-{n}")).status_code == 200
    refused = client.post("/public/submit/", form(nonce="burst-6"))
    assert refused.status_code == 400 and "12345" in refused.content.decode()
    assert Client(REMOTE_ADDR="10.9.9.9").post("/public/submit/", form(nonce="other")).status_code == 200


@pytest.fixture
def replied(people):
    ticket = new_ticket(
        people.operator,
        content=CONTENT,
        requester_name=NAME,
        requester_phone=PHONE,
        when=timezone.now() - dt.timedelta(hours=2),
    )
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    sign(ticket, unit=people.township)
    record_contact(ticket, unit=people.township, note="已电话联系诉求人")
    reply(ticket, unit=people.township, result=f"已联系{NAME}（{PHONE}），督促店家安装油烟净化器。")
    return ticket


def test_tracking_needs_the_code_and_the_phones_last_four_digits(replied):
    client = Client()
    assert client.get(f"/public/track/{replied.code}/").status_code == 404  # not proven yet
    wrong = client.post("/public/track/", {"code": replied.code, "last4": "0000"})
    assert wrong.status_code == 400
    right = client.post("/public/track/", {"code": replied.code.lower(), "last4": PHONE[-4:]})
    assert right.status_code == 302
    page = client.get(right["Location"]).content.decode()
    assert "已答复" in page and "油烟净化器" in page
    for secret in [NAME, PHONE, "630102199001011234", "501室"]:
        assert secret not in page, secret
    assert Client().get(right["Location"]).status_code == 404  # another browser has not proven it


def test_guessing_the_last_four_digits_is_cut_off(replied):
    client = Client()
    for guess in range(5):
        assert client.post("/public/track/", {"code": replied.code, "last4": f"{guess:04d}"}).status_code == 400
    locked = client.post("/public/track/", {"code": replied.code, "last4": PHONE[-4:]})
    assert locked.status_code == 400 and replied.code not in locked.get("Location", "")


def test_the_citizen_rates_the_result_and_the_ticket_closes(replied):
    client = Client()
    client.post("/public/track/", {"code": replied.code, "last4": PHONE[-4:]})
    assert client.post(f"/public/track/{replied.code}/rate/", {"contacted": "1"}).status_code == 302  # incomplete
    replied.refresh_from_db()
    assert replied.status == Status.REPLIED
    client.post(f"/public/track/{replied.code}/rate/", {"contacted": "1", "solved": "1", "satisfaction": "satisfied"})
    replied.refresh_from_db()
    assert replied.status == Status.CLOSED
    revisit = replied.revisits.get()
    assert revisit.method == Revisit.Method.SMS and revisit.satisfaction == "satisfied"
    again = client.post(
        f"/public/track/{replied.code}/rate/", {"contacted": "0", "solved": "0", "satisfaction": "dissatisfied"}
    )
    assert again.status_code == 302 and replied.revisits.count() == 1


def test_typical_cases_are_anonymised_and_only_published_ones_show(replied, people):
    from hotline.evaluation.services import record_revisit

    record_revisit(replied, contacted=True, solved=True, satisfaction="satisfied")
    supervisor = Client()
    supervisor.force_login(people.supervisor)
    response = supervisor.post(f"/cases/from/{replied.code}/")
    case = TypicalCase.objects.get(ticket=replied)
    assert response.status_code == 302 and not case.published
    for secret in [NAME, PHONE, "501室", "630102199001011234"]:
        assert secret not in case.summary + case.outcome + case.title
    public = Client()
    assert public.get(f"/public/cases/{case.pk}/").status_code == 404
    # An editor pastes a phone number back in; saving removes it again.
    edit = {
        "title": "东关大街烧烤油烟治理",
        "summary": case.summary + f" 联系{PHONE}",
        "outcome": case.outcome,
        "published": "on",
    }
    assert supervisor.post(f"/cases/{case.pk}/", edit).status_code == 302
    page = public.get(f"/public/cases/{case.pk}/").content.decode()
    assert "东关大街烧烤油烟治理" in page and PHONE not in page
    assert Client().post(f"/cases/from/{replied.code}/").status_code == 302  # strangers sign in first
    street = Client()
    street.force_login(people.street)
    assert street.post(f"/cases/from/{replied.code}/").status_code == 403


@pytest.mark.clock
def test_public_figures_count_the_requests_and_rates(replied, people):
    from hotline.evaluation.selectors import three_rates
    from hotline.evaluation.services import record_revisit
    from hotline.publicity.selectors import public_figures

    record_revisit(replied, contacted=True, solved=True, satisfaction="basic")
    figures = public_figures(use_cache=False)
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    counted = Ticket.objects.filter(received_at__gte=start).exclude(status__in=["merged", "invalid"]).count()
    assert figures["this_month"]["n"] == counted
    assert figures["this_month"]["rates"] == three_rates(Revisit.objects.filter(recorded_at__gte=start))
    assert any(d["name"] == "城东区" for d in figures["districts"])


def test_nothing_personal_leaves_through_any_public_page(replied, people):
    from hotline.evaluation.services import record_revisit

    record_revisit(replied, contacted=True, solved=True, satisfaction="satisfied")
    case = services.draft_case(replied)
    services.publish_case(case)
    client = Client()
    client.post("/public/track/", {"code": replied.code, "last4": PHONE[-4:]})
    pages = [
        "/public/",
        "/public/submit/",
        "/public/track/",
        f"/public/track/{replied.code}/",
        "/public/cases/",
        f"/public/cases/{case.pk}/",
        "/public/figures/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for secret in [NAME, PHONE, PHONE[:7], "630102199001011234", "501室", "3号楼", "东关大街12号"]:
            assert secret not in html, (url, secret)


def test_the_figures_come_from_the_workers_snapshot_and_read_the_same(replied):
    from django.core.cache import cache

    from hotline.publicity.models import FiguresSnapshot
    from hotline.publicity.selectors import public_figures
    from hotline.worker.schedule import run_job

    cache.clear()
    counted = public_figures(use_cache=False)
    run_job("public_figures")
    assert FiguresSnapshot.objects.count() == 1
    read = public_figures()
    assert read["months"] == counted["months"] and read["districts"] == counted["districts"]
    assert read["year_rates"] == counted["year_rates"]
    cache.clear()
    FiguresSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(hours=2))  # too old: counted again
    assert public_figures()["this_month"]["n"] == counted["this_month"]["n"]
    assert FiguresSnapshot.objects.count() == 2
    html = Client().get("/public/figures/").content.decode()
    assert str(counted["year_total"]) in html
