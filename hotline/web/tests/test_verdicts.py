"""M3 and M4: no form that judges work comes with a verdict chosen, a submit without one is refused
with a clear message and changes nothing, and a contact with the citizen must say what happened."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.links import rating_token
from hotline.evaluation.models import Revisit
from hotline.handling import services as handling
from hotline.supervision.models import SpotCheck
from hotline.supervision.spotchecks import draw
from hotline.tickets.models import Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import new_ticket, township_matter

SELECT = re.compile(r"<select[^>]*>(.*?)</select>", re.S)
OPTION = re.compile(r"<option([^>]*)>")


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def preselected(html: str, form_marker: str) -> list[str]:
    """What a browser shows as chosen in the form containing ``form_marker`` before anyone touches
    it: each select's selected option, or its first one when none is marked; checked radios."""
    start = html.index(form_marker)
    form = html[html.rfind("<form", 0, start) : html.index("</form>", start)]
    shown = []
    for select in SELECT.findall(form):
        options = OPTION.findall(select)
        marked = [o for o in options if re.search(r"\bselected\b", o)] or options[:1]
        shown += [re.search(r'value="([^"]*)"', o).group(1) for o in marked]
    shown += re.findall(r'<input[^>]*type="radio"[^>]*\bchecked[^>]*>', form)
    return [value for value in shown if value]


@pytest.fixture
def replied(people):
    ticket = new_ticket(people.operator, when=timezone.now() - dt.timedelta(hours=3))
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    handling.sign(ticket, unit=people.township)
    handling.record_contact(ticket, unit=people.township, note="已电话联系王先生，约定下午到场")
    handling.reply(ticket, unit=people.township, result="已清理占道摊点。")
    return ticket


def test_a_contact_with_an_empty_note_is_refused_by_the_service_and_the_form(people):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    handling.sign(ticket, unit=people.township)
    for note in ("", "   \n\t", "\x00"):
        with pytest.raises(ValidationError) as err:
            handling.record_contact(ticket, unit=people.township, note=note)
        assert "note" in err.value.message_dict
    street = as_(people.street)
    refused = street.post(f"/tickets/{ticket.code}/contact/", {"contact-note": "  "})
    assert refused.status_code == 400 and "说明" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.contacted_at is None and not TicketEvent.objects.filter(ticket=ticket, action="contact").exists()
    assert street.post(f"/tickets/{ticket.code}/contact/", {"contact-note": "已电话联系王先生"}).status_code == 302


def test_the_portal_rating_starts_with_nothing_chosen_and_refuses_an_empty_submit(replied):
    client = Client()
    client.post("/public/track/", {"code": replied.code, "last4": "5678"})
    page = client.get(f"/public/track/{replied.code}/").content.decode()
    assert preselected(page, 'name="satisfaction"') == [] and "请选择" in page
    refused = client.post(f"/public/track/{replied.code}/rate/", {}, follow=True)
    text = refused.content.decode()
    assert "是否联系过您" in text and "是否已解决" in text and "满意" in text  # each missing answer named
    assert not Revisit.objects.exists()
    assert Ticket.objects.get(pk=replied.pk).status == Status.REPLIED


def test_the_sms_rating_page_checks_nothing_and_names_each_missing_answer(replied):
    url = f"/s/rate/{rating_token(replied)}/"
    client = Client()
    page = client.get(url).content.decode()
    assert preselected(page, 'name="satisfaction"') == []
    refused = client.post(url, {"contacted": "yes"}).content.decode()
    assert "是否已解决" in refused and not Revisit.objects.exists()


def test_the_phone_revisit_form_has_no_outcome_chosen(replied, people):
    operator = as_(people.operator)
    page = operator.get(f"/tickets/{replied.code}/").content.decode()
    assert preselected(page, 'name="revisit-outcome"') == []
    refused = operator.post(f"/tickets/{replied.code}/revisit/", {"revisit-note": "来电"})
    assert refused.status_code == 400 and "回访结果" in refused.content.decode()
    assert not Revisit.objects.exists()


def test_the_spot_check_finding_has_none_chosen_and_an_empty_one_is_refused(replied, people):
    from hotline.evaluation.services import record_revisit

    record_revisit(replied, contacted=True, solved=True, satisfaction="satisfied")
    now = timezone.now()
    draw(since=now - dt.timedelta(days=1), until=now + dt.timedelta(minutes=1), size=5, batch="t", at=now)
    check = SpotCheck.objects.get()
    supervisor = as_(people.supervisor)
    page = supervisor.get("/spot-checks/").content.decode()
    assert preselected(page, 'name="finding"') == []
    refused = supervisor.post(f"/spot-checks/{check.pk}/", {"finding": "", "note": ""}, follow=True)
    assert "抽查结果" in refused.content.decode()
    check.refresh_from_db()
    assert check.finding == "" and check.checked_at is None
