"""Partner clients in the admin: the token is shown once, stored hashed, and works."""

import re

import pytest
from django.contrib.auth import get_user_model

from hotline.api.models import PartnerClient, hash_token
from hotline.orgs.models import Staff


@pytest.fixture
def admin_client_logged_in(client, people):
    # force_login: django-axes' backend wants the request that a test client's login() does not give.
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-for-tests-only"))
    return client


def test_adding_a_client_shows_its_token_once(admin_client_logged_in, people):
    client = admin_client_logged_in
    response = client.post(
        "/admin/api/partnerclient/add/",
        {
            "name": "住建局业务系统",
            "channel": "gov_board",
            "scope_list": ["unit_work"],
            "unit": people.housing.pk,
            "rate_limit": 120,
            "ip_allow": "10.1.0.0/16",
            "webhook_url": "",
            "is_active": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    [token] = re.findall(r"hl_[0-9a-f]{12}\.[A-Za-z0-9_\-]+", page)
    stored = PartnerClient.objects.get(name="住建局业务系统")
    assert stored.scope_set == {"unit_work"} and stored.token_hash == hash_token(token)
    assert token not in str(PartnerClient.objects.values().get(pk=stored.pk))
    # Its account is a handler of the housing department, who cannot sign in.
    staff = Staff.objects.get(user=stored.account)
    assert staff.unit == people.housing and staff.role == Staff.Role.HANDLER
    assert not stored.account.has_usable_password()
    # The change page never shows it again.
    again = client.get(f"/admin/api/partnerclient/{stored.pk}/change/").content.decode()
    assert token not in again


def test_a_bad_allow_list_or_a_unit_client_without_unit_is_refused(admin_client_logged_in):
    response = admin_client_logged_in.post(
        "/admin/api/partnerclient/add/",
        {"name": "x", "channel": "gov_board", "scope_list": ["unit_work"], "rate_limit": 1, "ip_allow": "10.1.0.0/99"},
    )
    assert response.status_code == 200
    assert not PartnerClient.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/api/partnerclient/",
        "/admin/api/partnerclient/add/",
        "/admin/api/apicall/",
        "/admin/linkage/agency/",
        "/admin/linkage/agency/110/change/",
        "/admin/linkage/linkagematter/",
        "/admin/linkage/transfer/",
        "/admin/calls/call/",
        "/admin/outbox/delivery/?channel=webhook",
    ],
)
def test_the_new_admin_pages_open(admin_client_logged_in, url):
    assert admin_client_logged_in.get(url).status_code == 200
