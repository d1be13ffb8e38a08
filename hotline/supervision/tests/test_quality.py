"""话务质检 (issue 15, item 7): a monthly sample per operator, a rubric the centre edits,
automatic pre-checks, a score and feedback, and a table per operator; a call is rated once."""

import pytest
from django.core.exceptions import ValidationError

from hotline.orgs.models import Staff
from hotline.supervision import quality
from hotline.supervision.models import QaCriterion, QaReview
from hotline.tickets.tests.helpers import at, new_ticket


@pytest.fixture
def calls(people, django_user_model):
    second = django_user_model.objects.create_user(username="operator2", password="pw-for-tests-only")
    Staff.objects.create(user=second, role=Staff.Role.OPERATOR, unit=people.centre)
    people.operator2 = second
    texts = ["路灯不亮了两天，晚上很黑。", "小区垃圾好几天没人清运，味道很大。", "噪音扰民，晚上十二点还在施工。"]
    for n, text in enumerate(texts * 3):
        new_ticket(people.operator, when=at(2026, 11, 2 + n, 9), content=text, requester_phone=f"1391234{n:04d}")
    new_ticket(second, when=at(2026, 11, 3, 9), content="门口占道经营，早晚高峰堵得走不动。", requester_name="")
    new_ticket(second, when=at(2026, 10, 30, 9), content="上个月的诉求，不在本月抽样里。")
    return people


def test_each_operator_gets_a_sample_with_prechecks(calls):
    assert quality.draw_month("2026-11", per_operator=5) == 6  # five of nine, and the one call of operator2
    assert QaReview.objects.filter(operator=calls.operator).count() == 5
    assert quality.draw_month("2026-11", per_operator=5) == 0  # drawn already: nothing more
    qa = QaReview.objects.get(operator=calls.operator2)
    rubric = {c.auto_check: str(c.pk) for c in QaCriterion.objects.all()}
    assert qa.prechecks[rubric["five_elements"]] is False  # no name, not anonymous
    assert qa.prechecks[rubric["title_clean"]] is True


def test_a_rating_gives_a_score_and_feedback_once(calls):
    quality.draw_month("2026-11", per_operator=2)
    qa = QaReview.objects.filter(operator=calls.operator).first()
    rubric = list(QaCriterion.objects.filter(active=True))
    marks = {str(c.pk): c.auto_check != "five_elements" for c in rubric}  # five elements missed: 30 points
    quality.review(qa, marks=marks, feedback="请核实诉求人姓名", actor=calls.supervisor)
    assert qa.score == 70.0 and qa.feedback == "请核实诉求人姓名"
    with pytest.raises(ValidationError, match="once"):
        quality.review(qa, marks=marks, feedback="再评一次")
    table = {r["operator"]: r for r in quality.operator_table("2026-11")}
    assert table["operator"]["drawn"] == 2 and table["operator"]["reviewed"] == 1
    assert table["operator"]["average"] == 70.0


def test_a_rating_must_mark_every_criterion(calls):
    quality.draw_month("2026-11", per_operator=1)
    qa = QaReview.objects.first()
    with pytest.raises(ValidationError, match="every criterion"):
        quality.review(qa, marks={}, feedback="")
    assert QaReview.objects.get(pk=qa.pk).reviewed_at is None


def test_the_rubric_is_the_centres(calls):
    quality.ensure_rubric()
    QaCriterion.objects.create(text="一次性告知到位", points=50, sort=9)
    quality.draw_month("2026-11", per_operator=1)
    qa = QaReview.objects.filter(operator=calls.operator).first()
    marks = {str(c.pk): c.points != 50 for c in QaCriterion.objects.filter(active=True)}
    quality.review(qa, marks=marks, feedback="")
    assert qa.score == pytest.approx(100 * 100 / 150)


def test_refused_draws(calls):
    with pytest.raises(ValidationError):
        quality.draw_month("2026-11", per_operator=0)
    with pytest.raises(ValueError):
        quality.draw_month("November")


def test_the_pages(calls, client):
    client.force_login(calls.supervisor)
    assert client.post("/s/qa/?month=2026-11").status_code == 302
    page = client.get("/s/qa/?month=2026-11")
    assert page.status_code == 200 and b'id="qa-table"' in page.content
    qa = QaReview.objects.filter(operator=calls.operator).first()
    form = {f"c{c.pk}": "1" for c in QaCriterion.objects.filter(active=True)}
    assert client.post(f"/s/qa/{qa.pk}/", {**form, "feedback": "很好"}).status_code == 302
    assert QaReview.objects.get(pk=qa.pk).score == 100.0
    assert client.post(f"/s/qa/{qa.pk}/", {**form, "feedback": "再来"}).status_code == 400  # rated once
    client.force_login(calls.operator)  # the operator reads their own feedback, nobody else's
    own = client.get("/s/qa/?month=2026-11").content.decode()
    assert "很好" in own and b'id="qa-table"' not in client.get("/s/qa/?month=2026-11").content
    assert client.get(f"/s/qa/{qa.pk}/").status_code == 403
    client.force_login(calls.street)
    assert client.get("/s/qa/").status_code == 403


def test_the_monthly_report_has_the_operator_table(calls):
    from django.utils import translation

    from hotline.reports.figures import period_figures
    from hotline.reports.periods import Kind
    from hotline.reports.render import layout, render

    quality.draw_month("2026-11", per_operator=1)
    f = period_figures(Kind.MONTHLY, at(2026, 11, 10).date(), now=at(2026, 12, 1))
    assert {r["operator"] for r in f.operator_quality} == {"operator", "operator2"}
    with translation.override("en"):
        report = layout(f, with_charts=False)
    assert any(t.title == "Operator quality" for t in report.tables)
    assert "operator2" in render(report, "txt").decode("utf-8")
