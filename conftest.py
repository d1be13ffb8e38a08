"""Shared test set-up: reference data loaded once, the personas every test talks about, and the
pinned clock that date-sensitive tests run on."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent / "shared" / "datasets"

# The day (and local time) date-sensitive tests run on unless --clock or HOTLINE_TEST_CLOCK names
# others: a Wednesday, an ordinary working day with working days on either side.
DEFAULT_CLOCK = "2026-12-09T10:00"
CLOCK_HOUR = dt.time(10, 0)  # the local time of a --clock given as a bare date


def on_postgres() -> bool:
    return (os.environ.get("HOTLINE_DATABASE_URL") or "").startswith(("postgres", "postgresql"))


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=None,
        help=(
            "the local day (2026-11-30) or instant (2026-11-30T09:00) that tests marked `clock` run on; "
            "several, comma-separated, run each of them once per day "
            f"(default: $HOTLINE_TEST_CLOCK, else {DEFAULT_CLOCK})"
        ),
    )


def clock_days(config) -> list[str]:
    text = config.getoption("clock") or os.environ.get("HOTLINE_TEST_CLOCK") or DEFAULT_CLOCK
    return [part.strip() for part in text.split(",") if part.strip()]


def clock_instant(text: str) -> dt.datetime:
    """A --clock value as an aware instant on the centre's clock (a bare date at CLOCK_HOUR)."""
    from django.utils import timezone

    try:
        naive = dt.datetime.combine(dt.date.fromisoformat(text), CLOCK_HOUR)
    except ValueError:
        naive = dt.datetime.fromisoformat(text)
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def pytest_configure(config):
    from django.conf import settings

    # Test users' passwords are hashed with MD5: PBKDF2 is slow on purpose (2.2 s for the six
    # personas), and that slowness is a property of production, not of anything under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for text in clock_days(config):
        try:
            clock_instant(text)
        except ValueError:
            raise pytest.UsageError(f"--clock/HOTLINE_TEST_CLOCK: {text!r} is not a date or a date and time") from None


def pytest_generate_tests(metafunc):
    """With several --clock days, each date-sensitive test runs once per day, grouped by day so that
    a module's history is simulated once per day."""
    days = clock_days(metafunc.config)
    marker = metafunc.definition.get_closest_marker("clock")
    fixed = marker is not None and marker.kwargs.get("day")
    if len(days) > 1 and marker and not fixed and "clock_day" in metafunc.fixturenames:
        metafunc.parametrize("clock_day", days, indirect=True, scope="module")


@pytest.fixture(scope="session", autouse=True)
def _own_var_dir(tmp_path_factory):
    """Files the code writes under var/ (classifier versions, archived reports, the outbox) go to a
    directory of this test session: never into a developer's demo data, and never shared between
    parallel workers, whose databases would both number their first classifier version 1."""
    from django.conf import settings
    from django.test import override_settings

    var = tmp_path_factory.mktemp("var")
    with override_settings(
        VAR_DIR=var,
        MEDIA_ROOT=var / "media",
        OUTBOX={**settings.OUTBOX, "FILE": var / "outbox.jsonl"},
    ):
        yield var


_db_blocker = None  # pytest-django's, once the test database exists


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from hotline.demo.reference import load_reference

    global _db_blocker
    with django_db_blocker.unblock():
        load_reference()
    _db_blocker = django_db_blocker


def _reference() -> None:
    from hotline.catalog import selectors as catalogue
    from hotline.demo.reference import load_reference, reference_loaded
    from hotline.dispatch import locate, router, suggest
    from hotline.orgs import places
    from hotline.policy import services as policy
    from hotline.workcal.services import invalidate_calendar

    if not reference_loaded():
        load_reference()
    # Every per-process cache of reference rows: after a transactional test emptied the tables and
    # they were loaded again, a cached row (a matter's old id) would be written into new tickets.
    invalidate_calendar()
    places.clear_cache()
    router.clear_cache()
    catalogue.clear_cache()
    locate.clear_cache()
    suggest.clear_cache()
    policy.clear_cache()


@pytest.fixture
def ref(db):
    """Xining's reference data; reloaded when a transactional test emptied the tables."""
    _reference()
    return True


def _flushes(item) -> bool:
    """Whether the test runs without a wrapping transaction, so that its tables are emptied after it."""
    marker = item.get_closest_marker("django_db")
    transaction = marker is not None and bool(marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    return transaction or "transactional_db" in item.fixturenames or "live_server" in item.fixturenames


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties every table when it ends. Put the reference data back then, once
    and committed: left to the next test's ``ref``, it would be loaded again inside every later
    test's rolled-back transaction, seconds each (parallel workers interleave such tests freely)."""
    try:
        return (yield)
    finally:
        if nextitem is not None and _db_blocker is not None and _flushes(item):
            with _db_blocker.unblock():
                _reference()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, clock_day):
    """One transaction around a whole module, for data built once and only read by its tests (a
    simulated history): rolled back when the module ends, or when a run of several --clock days
    moves on to the next day. A fixture building such data depends on this one and opens the
    database with ``django_db_blocker.unblock()``. Each test using it runs in its own savepoint
    inside (see ``pytest_collection_modifyitems``), so what a test writes is undone after it.
    Not for modules with transactional tests."""
    from django.db import transaction

    block = transaction.atomic()
    with django_db_blocker.unblock():
        block.__enter__()
    try:
        with django_db_blocker.unblock():
            _reference()
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """A test reading a module's data is a database test: it gets pytest-django's transaction (a
    savepoint inside the module's), and the test database is set up even when no other test asks."""
    for item in items:
        if "module_db" in item.fixturenames and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


# --- the clock ---------------------------------------------------------------------------------
# A test whose outcome could depend on the day it runs (it reads today's date, or what it checks
# turns on today, this month or the working days around now) is marked `clock`: it runs on the
# pinned clock, DEFAULT_CLOCK or the day given by --clock/HOTLINE_TEST_CLOCK, and time ticks on
# from there. Fixtures that simulate history end on that clock: a fixed day in, a fixed history
# out. `scripts/test-dates` runs the marked tests on the days that break date arithmetic (a
# Monday, after a holiday, New Year's Eve, a 调休 working Saturday).

_travels: list[tuple[str, object]] = []


@contextlib.contextmanager
def _travel(day: str):
    """Travel to ``day``; inside a travel to the same day (a module's), keep its clock running."""
    import time_machine

    if _travels and _travels[-1][0] == day:
        yield _travels[-1][1]
        return
    with time_machine.travel(clock_instant(day), tick=True) as traveller:
        _travels.append((day, traveller))
        try:
            yield traveller
        finally:
            _travels.pop()


@pytest.fixture(scope="module")
def clock_day(request) -> str:
    """The --clock value this test runs on (one of several when the run names several days). A
    module marked ``clock(day=...)`` builds its data at fixed dates: it runs on that day only."""
    marker = request.node.get_closest_marker("clock")
    if marker is not None and marker.kwargs.get("day"):
        return str(marker.kwargs["day"])
    return getattr(request, "param", None) or clock_days(request.config)[0]


@pytest.fixture(scope="module")
def module_clock(clock_day):
    """The pinned clock for a whole module, for module-scoped fixtures that build history."""
    with _travel(clock_day) as traveller:
        yield traveller


@pytest.fixture
def clock(clock_day):
    """The pinned clock: a time-machine traveller (``.shift()``, ``.move_to()``) started at the
    chosen day and time; time ticks on from there."""
    with _travel(clock_day) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _clock_for_marked_tests(request, clock_day):
    if request.node.get_closest_marker("clock") is not None:
        request.getfixturevalue("clock")


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
def _forget_classifier():
    """A test's classifier and unit router live only as long as its transaction: drop the process's
    copies after it. The unit router is a file with no database row to roll back, so it is removed:
    a router learnt from one test's units would route the next test's requests to ids that no longer
    exist (and a worker's later tests to whichever test trained last)."""
    yield
    from hotline.dispatch import store

    store.forget(on_commit=False)
    (store.model_dir() / store.UNIT_ROUTER_FILE).unlink(missing_ok=True)
    store.forget_unit_router()


@pytest.fixture(autouse=True)
def english_messages():
    """Service errors read in English in assertions; pages still render zh-Hans per request."""
    from django.utils import translation

    with translation.override("en"):
        yield


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "test-output" / "screenshots"


def _browser_missing() -> str:
    import shutil
    import subprocess

    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (run scripts/install-browser as root)"
    if shutil.which("fc-list") is None:
        return "fontconfig is missing, so no CJK font can be found"
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True).stdout
    if not any(name in fonts for name in ("WenQuanYi", "Noto Sans CJK", "Noto Serif CJK")):
        return "no CJK font is installed (fonts-wqy-microhei or fonts-noto-cjk): Chinese would render as boxes"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing"
    return ""


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium driven by Playwright; never a browser Playwright downloads itself.

    Skips with the reason when the browser or a CJK font is missing, except where
    HOTLINE_BROWSER_REQUIRED=True (CI), where that is a failure."""
    reason = _browser_missing()
    if reason:
        if os.environ.get("HOTLINE_BROWSER_REQUIRED") == "True":
            pytest.fail(f"browser tests must run here: {reason}")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
    # itself between browser steps are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def screenshot():
    """Save a page's screenshot under test-output/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
