"""Shared test set-up: reference data loaded once, and the personas every test talks about."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent / "shared" / "datasets"


def on_postgres() -> bool:
    return (os.environ.get("HOTLINE_DATABASE_URL") or "").startswith(("postgres", "postgresql"))


def pytest_configure(config):
    from django.conf import settings

    # Test users' passwords are hashed with MD5: PBKDF2 is slow on purpose (2.2 s for the six
    # personas), and that slowness is a property of production, not of anything under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
        SUPERVISION={**settings.SUPERVISION, "OUTBOX": var / "outbox.jsonl"},
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
    from hotline.demo.reference import load_reference, reference_loaded
    from hotline.dispatch import router
    from hotline.orgs import places
    from hotline.workcal.services import invalidate_calendar

    if not reference_loaded():
        load_reference()
    invalidate_calendar()
    places.clear_cache()
    router.clear_cache()


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
    """A test's classifier lives only as long as its transaction: drop the process's copy after it."""
    yield
    from hotline.dispatch import store

    store.forget(on_commit=False)


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
