"""Reads of evaluation figures. The three rates are defined here and nowhere else."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Revisit, Satisfaction


def _counts() -> dict:
    return {
        "n": Count("id"),
        "contacted": Count("id", filter=Q(contacted=True)),
        "solved": Count("id", filter=Q(solved=True)),
        "satisfied": Count("id", filter=~Q(satisfaction=Satisfaction.DISSATISFIED)),
    }


def three_rates(revisits: QuerySet[Revisit]) -> dict[str, float | int | None]:
    """Response, resolution and satisfaction over the valid revisits in ``revisits``.

    Unreachable and refused revisits are excluded. Response = contacted / valid, resolution =
    solved / valid, satisfaction = (satisfied + basically satisfied) / valid, each in percent.
    """
    return _rates(revisits.filter(outcome=Revisit.Outcome.VALID).aggregate(**_counts()))


def three_rates_by(revisits: QuerySet[Revisit], field: str) -> dict[object, dict[str, float | int | None]]:
    """The three rates per value of ``field`` (e.g. ``lead_unit``), by the same definition."""
    rows = revisits.filter(outcome=Revisit.Outcome.VALID).values(field).annotate(**_counts()).order_by()
    return {row[field]: _rates(row) for row in rows}


def _rates(agg: dict) -> dict[str, float | int | None]:
    n = agg["n"]
    if not n:
        return {"n": 0, "response": None, "resolution": None, "satisfaction": None}
    return {
        "n": n,
        "response": 100 * agg["contacted"] / n,
        "resolution": 100 * agg["solved"] / n,
        "satisfaction": 100 * agg["satisfied"] / n,
    }
