"""A five-grade satisfaction scale (issue 15, item 8), mapped to the satisfaction rate by the policy."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.links import rating_token
from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import definitions, offered_grades, three_rates
from hotline.evaluation.services import record_revisit
from hotline.handling import services as handling
from hotline.policy import services as policy
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import at, new_ticket, township_matter


@pytest.fixture
def five(settings):
    settings.EVALUATION = {
        **settings.EVALUATION,
        "SCALE": "five",
        "BASIC_SHARE": 0.6,
        "GRADE_WEIGHTS": {"very_satisfied": 1.0, "satisfied": 0.9, "dissatisfied": 0.0, "very_dissatisfied": 0.0},
    }


def replied(people, content="小区门口占道经营。"):
    ticket = new_ticket(people.operator, content=content)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    handling.sign(ticket, unit=people.township, at=at(2026, 11, 2, 10))
    handling.reply(ticket, unit=people.township, result="已处理。", at=at(2026, 11, 3, 15))
    return ticket


def test_the_default_scale_has_three_grades(db):
    assert [g for g, _label in offered_grades()] == ["satisfied", "basic", "dissatisfied"]


def test_five_grades_each_weighted_by_the_policy(five, people):
    assert len(offered_grades()) == 5
    ticket = new_ticket(people.operator)
    for grade in ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied"):
        Revisit.objects.create(
            ticket=ticket,
            lead_unit=people.township,
            contacted=True,
            solved=True,
            satisfaction=grade,
            recorded_at=at(2026, 11, 10),
        )
    rates = three_rates(Revisit.objects.all())
    assert rates["satisfaction"] == pytest.approx(100 * (1.0 + 0.9 + 0.6) / 5)
    text = definitions()["satisfaction"]
    assert "5" in text and "0.9" in text and "0.6" in text


def test_a_grade_off_the_centres_scale_is_refused(people):
    ticket = replied(people)
    with pytest.raises(ValidationError, match="scale"):
        record_revisit(ticket, contacted=True, solved=True, satisfaction="very_satisfied", at=at(2026, 11, 4))
    with pytest.raises(ValidationError):
        record_revisit(ticket, contacted=True, solved=True, satisfaction="ecstatic", at=at(2026, 11, 4))
    assert not Revisit.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REPLIED


def test_very_dissatisfied_and_unsolved_reopens_from_the_sms_page(five, people, client):
    ticket = replied(people)
    url = f"/s/rate/{rating_token(ticket)}/"
    page = client.get(url).content.decode()
    assert 'value="very_satisfied"' in page and 'value="very_dissatisfied"' in page
    client.post(url, {"contacted": "yes", "solved": "no", "satisfaction": "very_dissatisfied"})
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REOPENED


@pytest.mark.clock
@pytest.mark.parametrize(
    "figures",
    [
        {"weight_satisfied": 0.5, "basic_share": 0.8},  # a better grade counting less
        {"weight_very_dissatisfied": 0.5},
        {"weight_very_satisfied": 1.5},
        {"satisfaction_scale": "seven"},
    ],
)
def test_a_scale_that_makes_no_sense_is_refused(db, figures):
    policy.clear_cache()
    with pytest.raises(ValidationError):
        policy.add_policy(effective_from=timezone.localdate(), note="量表", **figures)
