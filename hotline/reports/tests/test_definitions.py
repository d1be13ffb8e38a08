"""The report's figures on a few hand-made rows, where each definition can be checked exactly."""

import datetime as dt

import pytest

from hotline.evaluation.models import Revisit
from hotline.reports.figures import period_figures
from hotline.reports.periods import Kind
from hotline.tickets.tests.helpers import at, new_ticket

DAY = dt.date(2026, 11, 10)


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
    from hotline.reports.render import layout, render

    settings.EVALUATION = {**settings.EVALUATION, "BASIC_SHARE": 0.6}
    report = layout(period_figures(Kind.MONTHLY, DAY, now=at(2026, 12, 1)), with_charts=False)
    (rates,) = [t for t in report.tables if t.title == "The three rates"]
    assert definitions()["satisfaction"] in rates.note and "0.6 × basically satisfied" in rates.note
    assert "satisfied or basically satisfied" not in render(report, "txt").decode("utf-8")
