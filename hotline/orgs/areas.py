"""Which district and township a place lies in, read from its region code: the one definition.

Region codes nest (GB/T 2260 and the 民政部 township codes): 630100 the city, 630102 a district,
630102001 a township or street, 630102001001 a community. A code's first six digits name its
district unless they end in 00 (then they name the city itself: no district); its first nine
name its township when it has nine or more.
"""

from __future__ import annotations

from django.db.models import CharField, Q, Value
from django.db.models.expressions import Case, When
from django.db.models.functions import Length, Substr
from django.db.models.lookups import Exact, GreaterThanOrEqual

DISTRICT_DIGITS = 6
TOWNSHIP_DIGITS = 9


def district_code_of(code: str | None) -> str | None:
    """The district a region code lies in, or None for the city itself or no place."""
    if not code or len(code) < DISTRICT_DIGITS or code[4:6] == "00":
        return None
    return code[:DISTRICT_DIGITS]


def township_code_of(code: str | None) -> str | None:
    """The township a region code lies in, or None above township level."""
    if not code or len(code) < TOWNSHIP_DIGITS:
        return None
    return code[:TOWNSHIP_DIGITS]


def district_code(field: str) -> Case:
    """``district_code_of`` as a database expression over a region-code column (``region_id``,
    ``ticket__region_id``), for grouping and annotating."""
    return Case(
        When(Q(**{f"{field}__isnull": True}), then=Value(None)),
        When(Exact(Substr(field, 5, 2), "00"), then=Value(None)),
        When(GreaterThanOrEqual(Length(field), DISTRICT_DIGITS), then=Substr(field, 1, DISTRICT_DIGITS)),
        default=Value(None),
        output_field=CharField(),
    )


def township_code(field: str) -> Case:
    """``township_code_of`` as a database expression."""
    return Case(
        When(GreaterThanOrEqual(Length(field), TOWNSHIP_DIGITS), then=Substr(field, 1, TOWNSHIP_DIGITS)),
        default=Value(None),
        output_field=CharField(),
    )


def within(field: str, code: str) -> Q:
    """Rows whose region (``field``) is the region ``code`` or lies inside it."""
    return Q(**{f"{field}__startswith": code})
