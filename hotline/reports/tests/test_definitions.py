"""The report's figures on a few hand-made rows, or none, where each definition can be checked
exactly. No simulated history here: these tests need the database to hold only what they wrote."""

import datetime as dt
import io

import pytest
from django.utils import timezone, translation

from hotline.evaluation.models import Revisit
from hotline.reports.figures import period_figures
from hotline.reports.periods import Kind
from hotline.reports.render import layout, render
from hotline.tickets.tests.helpers import at, new_ticket

DAY = dt.date(2026, 11, 10)


@pytest.mark.clock
def test_an_empty_period_reads_as_zeros(ref):
    f = period_figures(Kind.MONTHLY, timezone.localdate())
    assert (f.total, f.previous_total, f.returns, f.overdue_open, f.deadlines_missed) == (0, 0, 0, 0, 0)
    assert f.by_channel == f.by_district == f.top_issues == []
    assert f.rates == {"n": 0, "response": None, "resolution": None, "satisfaction": None, "composite": None}
    assert f.total_change is None
    assert all(n == 0 for _day, n in f.trend)


@pytest.mark.clock
def test_an_empty_period_still_makes_valid_files(ref):
    with translation.override("zh-hans"):
        report = layout(period_figures(Kind.MONTHLY, timezone.localdate()))
    from docx import Document
    from openpyxl import load_workbook

    assert Document(io.BytesIO(render(report, "docx"))).paragraphs[0].text.startswith("12345热线月报")
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    assert book.sheetnames[0] == "概况"
    assert "本期受理诉求0件" in render(report, "txt").decode("utf-8")


def test_a_basically_satisfied_answer_counts_the_basic_share_of_a_satisfied_one(people, settings):
    """The report reads the satisfaction rate by its one definition (hotline.evaluation.selectors):
    (satisfied + BASIC_SHARE × basically satisfied) ÷ valid revisits, not every answer short of
    "dissatisfied"."""
    settings.EVALUATION = {**settings.EVALUATION, "BASIC_SHARE": 0.8}
    ticket = new_ticket(people.operator, when=at(2026, 11, 10, 9))
    for satisfaction in ("satisfied", "satisfied", "basic", "dissatisfied"):
        Revisit.objects.create(
            ticket=ticket,
            lead_unit=people.township,
            contacted=True,
            solved=True,
            satisfaction=satisfaction,
            recorded_at=at(2026, 11, 10, 15),
        )
    Revisit.objects.create(
        ticket=ticket, lead_unit=people.township, outcome=Revisit.Outcome.UNREACHABLE, recorded_at=at(2026, 11, 10, 16)
    )
    rates = period_figures(Kind.DAILY, DAY, now=at(2026, 11, 11)).rates
    assert rates["n"] == 4
    assert rates["satisfaction"] == pytest.approx(100 * (2 + 0.8 * 1) / 4)  # 70, where a whole "basic" made 75


def test_the_rates_table_states_the_definition_its_figures_are_computed_by(ref, settings):
    from hotline.evaluation.selectors import definitions

    settings.EVALUATION = {**settings.EVALUATION, "BASIC_SHARE": 0.6}
    report = layout(period_figures(Kind.MONTHLY, DAY, now=at(2026, 12, 1)), with_charts=False)
    (rates,) = [t for t in report.tables if t.title == "The three rates"]
    assert definitions()["satisfaction"] in rates.note and "0.6 × basically satisfied" in rates.note
    assert "satisfied or basically satisfied" not in render(report, "txt").decode("utf-8")
