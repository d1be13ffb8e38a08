"""A living knowledge base (issue 15, item 10): units propose, the centre publishes or rejects,
each article has an owner, a validity and versions; expired articles leave the operators' search
and are listed for their owner; the public searches the published answers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hotline.knowledge import services as kb
from hotline.knowledge.models import Article, ArticleVersion, Proposal
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import new_ticket


def today() -> dt.date:
    return timezone.localdate()


def test_a_unit_proposes_and_the_centre_publishes_a_versioned_article(people):
    proposal = kb.propose(
        people.township,
        title="占道经营怎么投诉",
        answer="可拨打12345或向街道城管中队反映。",
        keywords="占道 摊贩",
        valid_until=today() + dt.timedelta(days=180),
        actor=people.street,
    )
    article = kb.review_proposal(proposal, publish=True, actor=people.supervisor)
    assert article is not None and article.owner == people.township and article.version == 1
    assert article in kb.search("占道")
    change = kb.propose(
        people.township, article=article, title=article.title, answer="请拨打12345。", actor=people.street
    )
    kb.review_proposal(change, publish=True, note="更新联系方式", actor=people.supervisor)
    article.refresh_from_db()
    assert article.version == 2 and article.answer == "请拨打12345。"
    assert [v.answer for v in ArticleVersion.objects.filter(article=article)] == [
        "可拨打12345或向街道城管中队反映。",
        "请拨打12345。",
    ]


def test_refused_proposals_and_decisions(people):
    with pytest.raises(ValidationError):
        kb.propose(people.township, title="", answer="x")
    with pytest.raises(ValidationError, match="over already"):
        kb.propose(people.township, title="t", answer="a", valid_until=today() - dt.timedelta(days=1))
    foreign = Article.objects.create(title="别人的", answer="内容", owner=people.housing)
    with pytest.raises(ValidationError, match="owner"):
        kb.propose(people.township, article=foreign, title="改", answer="改")
    proposal = kb.propose(people.township, title="标题", answer="答案")
    with pytest.raises(ValidationError):
        kb.review_proposal(proposal, publish=False, note="")  # a rejection says why
    kb.review_proposal(proposal, publish=False, note="与现行政策不符")
    with pytest.raises(ValidationError, match="already"):
        kb.review_proposal(proposal, publish=True)
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.REJECTED
    assert not ArticleVersion.objects.exists()


def test_an_expired_article_is_hidden_and_listed_for_its_owner(people):
    old = Article.objects.create(
        title="2025年供暖收费标准",
        answer="每平方米25元。",
        owner=people.township,
        valid_until=today() - dt.timedelta(days=1),
    )
    fresh = Article.objects.create(title="2026年供暖收费标准", answer="每平方米26元。", owner=people.township)
    found = kb.search("供暖")
    assert fresh in found and old not in found
    assert list(kb.expired_for(people.township)) == [old]
    ticket = new_ticket(people.operator, kind="consultation", content="供暖费怎么收？")
    with pytest.raises(ValidationError, match="no longer valid"):
        kb.answer_with_article(ticket, article=old)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REGISTERED


def test_the_public_faq_has_nothing_personal(db, client):
    Article.objects.create(title="办理居住证", answer="咨询电话13912345678，身份证号110101199003071234需携带。")
    page = client.get("/public/faq/?q=居住证")
    text = page.content.decode()
    assert page.status_code == 200 and "办理居住证" in text
    assert "13912345678" not in text and "110101199003071234" not in text
    assert client.get("/public/faq/?q=" + "<script>" * 50).status_code == 200


def test_the_pages(people, client):
    client.force_login(people.street)
    response = client.post("/knowledge/propose/", {"title": "噪音投诉", "answer": "夜间施工可向城管反映。"})
    assert response.status_code == 302 and Proposal.objects.get().unit == people.township
    client.force_login(people.supervisor)
    proposal = Proposal.objects.get()
    assert "噪音投诉" in client.get("/knowledge/proposals/").content.decode()
    client.post("/knowledge/proposals/", {"proposal": proposal.pk, "publish": "1"})
    assert Article.objects.get(title="噪音投诉").owner == people.township
    client.force_login(people.operator)
    assert client.get("/knowledge/proposals/").status_code == 403
