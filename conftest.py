"""Shared test set-up: reference data loaded once, and the personas every test talks about."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent / "shared" / "datasets"


def on_postgres() -> bool:
    return (os.environ.get("HOTLINE_DATABASE_URL") or "").startswith(("postgres", "postgresql"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from hotline.demo.reference import load_reference

    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def ref(db):
    """Xining's reference data; reloaded when a transactional test emptied the tables."""
    from hotline.demo.reference import load_reference, reference_loaded
    from hotline.dispatch import router
    from hotline.orgs import places
    from hotline.workcal.services import invalidate_calendar

    if not reference_loaded():
        load_reference()
    invalidate_calendar()
    places.clear_cache()
    router.clear_cache()
    return True


@pytest.fixture
def people(ref):
    """An operator, a dispatcher, a township handler, a department handler, a supervisor, an outsider."""
    from django.contrib.auth import get_user_model

    from hotline.orgs.models import Staff, Unit

    User = get_user_model()
    centre = Unit.objects.get(kind=Unit.Kind.CENTRE)
    township = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, name__contains="东关大街街道").first()
    housing = Unit.objects.filter(kind=Unit.Kind.CITY_DEPT, functions__code="housing").order_by("code").first()
    other_township = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).exclude(pk=township.pk).order_by("code").first()

    def person(username: str, role: str, unit: Unit):
        user = User.objects.create_user(username=username, password="pw-for-tests-only", first_name=username)
        Staff.objects.create(user=user, role=role, unit=unit)
        return user

    class People:
        pass

    p = People()
    p.centre, p.township, p.housing, p.other_township = centre, township, housing, other_township
    p.operator = person("operator", Staff.Role.OPERATOR, centre)
    p.dispatcher = person("dispatcher", Staff.Role.DISPATCHER, centre)
    p.street = person("street", Staff.Role.HANDLER, township)
    p.dept = person("dept", Staff.Role.HANDLER, housing)
    p.supervisor = person("supervisor", Staff.Role.SUPERVISOR, centre)
    p.outsider = person("outsider", Staff.Role.HANDLER, other_township)
    return p


@pytest.fixture(autouse=True)
def english_messages():
    """Service errors read in English in assertions; pages still render zh-Hans per request."""
    from django.utils import translation

    with translation.override("en"):
        yield
