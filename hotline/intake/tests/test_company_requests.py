"""涉企诉求 (issue 15, item 11): a company's request names the company and its 统一社会信用代码,
checked by its check character (GB 32100-2015), and is counted apart in the reports."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from hotline.intake import uscc
from hotline.reports.figures import period_figures
from hotline.reports.periods import Kind
from hotline.tickets.models import Ticket
from hotline.tickets.tests.helpers import at, new_ticket

VALID = ("91350100M000100Y43", "91110000600037341L")


@pytest.mark.parametrize("code", VALID)
def test_real_codes_pass(code):
    assert uscc.is_valid(code) and uscc.is_valid(code.lower()) and uscc.is_valid(f" {code[:9]} {code[9:]} ")


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91350100M000100Y44", "check"),  # the last character mistyped
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("91350100M0001O0Y43", "characters"),  # the letter O is not in the set
        ("913501I0M000100Y43", "characters"),
        ("91ABCDEFM000100Y43", "division"),
        ("", "length"),
    ],
)
def test_bad_codes_say_why(code, why):
    assert uscc.problem(uscc.normalize(code)) == why


@given(st.text(alphabet=uscc.CHARSET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()))
def test_the_check_character_catches_every_single_mistyped_character(first17):
    code = first17 + uscc.check_character(first17)
    assert uscc.is_valid(code)
    for i in range(18):
        for other in uscc.CHARSET[:5]:
            if other != code[i]:
                typo = code[:i] + other + code[i + 1 :]
                assert not uscc.is_valid(typo)


def test_a_company_request_is_registered_and_counted_apart(people):
    ticket = new_ticket(
        people.operator, company_name="西宁某某商贸有限公司", company_code="91350100m000100y43", when=at(2026, 11, 10)
    )
    assert ticket.company_code == "91350100M000100Y43"
    new_ticket(people.operator, content="路灯不亮了。", when=at(2026, 11, 11))
    f = period_figures(Kind.MONTHLY, at(2026, 11, 10).date(), now=at(2026, 12, 1))
    assert f.company_requests == 1 and f.total == 2


@pytest.mark.parametrize(
    ("name", "code", "field"),
    [
        ("西宁某某商贸有限公司", "91350100M000100Y44", "company_code"),
        ("西宁某某商贸有限公司", "", "company_code"),
        ("", "91350100M000100Y43", "company_name"),
        ("西宁某某商贸有限公司", "'; DROP TABLE tickets_ticket; --", "company_code"),
        ("公" * 101, "91350100M000100Y43", "company_name"),
    ],
)
def test_a_bad_company_is_refused_and_nothing_written(people, name, code, field):
    with pytest.raises(ValidationError) as refused:
        new_ticket(people.operator, company_name=name, company_code=code)
    assert field in refused.value.message_dict
    assert not Ticket.objects.exists()


def test_the_console_takes_a_company_request(people, client):
    client.force_login(people.operator)
    form = {
        "requester_phone": "13912345678",
        "requester_name": "李经理",
        "channel": "phone_12345",
        "kind": "help",
        "urgency": "normal",
        "content": "企业办理消防验收，材料交了一个月没有回复，希望加快。",
        "address": "城东区东关大街街道东关大街12号",
        "company_name": "西宁某某商贸有限公司",
        "company_code": "91350100M000100Y44",
    }
    refused = client.post("/console/", form)
    assert refused.status_code in (200, 400) and not Ticket.objects.exists()
    client.post("/console/", {**form, "company_code": "91350100M000100Y43"})
    assert Ticket.objects.get().company_name == "西宁某某商贸有限公司"
