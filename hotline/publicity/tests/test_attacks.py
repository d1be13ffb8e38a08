"""The portal's limits against the attacks of the security test (findings H2 and H3 of 2026-11-30):
made-up client addresses, parallel posts, a challenge answered once and replayed, and 40 guesses
of a tracking code's digits sent at once. Each failed before the fix."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory, override_settings

from hotline.clientip import client_ip, parse_networks
from hotline.publicity import services
from hotline.publicity.models import Attempt
from hotline.publicity.views import FAILED_LOOKUPS_PER_CODE
from hotline.tickets.models import Ticket

from .test_portal import PHONE, form, replied  # noqa: F401  (the fixture)

PROXY = parse_networks("10.0.0.1")


def _ip(**meta) -> str:
    return client_ip(RequestFactory().get("/", **meta))


def test_the_client_address_comes_from_a_proxy_only_when_the_proxy_is_trusted():
    # Without trusted proxies, or from anyone else, the headers are what the client made up.
    assert _ip(REMOTE_ADDR="203.0.113.5", HTTP_X_REAL_IP="198.51.100.7") == "203.0.113.5"
    assert _ip(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.7") == "203.0.113.5"
    with override_settings(TRUSTED_PROXIES=PROXY):
        assert _ip(REMOTE_ADDR="203.0.113.5", HTTP_X_REAL_IP="198.51.100.7") == "203.0.113.5"
        # The trusted proxy appends what it saw; whatever the client put before that is ignored.
        assert _ip(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7") == "198.51.100.7"
        assert _ip(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="198.51.100.7") == "198.51.100.7"
        # Garbage from a trusted proxy falls back to the proxy, never to a made-up string.
        assert _ip(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="<script>") == "10.0.0.1"
        assert _ip(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="not-an-ip") == "10.0.0.1"
        assert _ip(REMOTE_ADDR="10.0.0.1") == "10.0.0.1"
    with pytest.raises(ValueError, match="10.0.0.300"):
        parse_networks("10.0.0.1, 10.0.0.300")


def test_rotating_x_real_ip_does_not_reset_the_per_network_limit(ref):
    client = Client(REMOTE_ADDR="203.0.113.5")
    codes = [
        client.post("/public/submit/", form(nonce=f"rot-{n}"), HTTP_X_REAL_IP=f"198.51.100.{n}").status_code
        for n in range(7)
    ]
    assert codes == [200] * services.SUBMITS_PER_HOUR + [400, 400]
    assert Ticket.objects.count() == services.SUBMITS_PER_HOUR


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(ref):
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    with override_settings(TRUSTED_PROXIES=PROXY):
        for n in range(services.SUBMITS_PER_HOUR):
            assert (
                proxy.post("/public/submit/", form(nonce=f"a-{n}"), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code
                == 200
            )
        assert proxy.post("/public/submit/", form(nonce="a-x"), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 400
        assert proxy.post("/public/submit/", form(nonce="b-1"), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_one_answer_to_the_check_makes_one_request(ref):
    client = Client(REMOTE_ADDR="203.0.113.9")
    first = form(nonce="first")
    assert client.post("/public/submit/", first).status_code == 200
    # The same form again (a double click) is the same ticket, not a refusal...
    assert client.post("/public/submit/", first).status_code == 200
    # ...but the answer replayed with a fresh nonce is refused and writes nothing.
    replay = {**first, "nonce": "n-replayed"}
    refused = client.post("/public/submit/", replay)
    assert refused.status_code == 400
    assert Ticket.objects.count() == 1


def _race(n: int, work) -> list[object]:
    barrier = threading.Barrier(n)
    results: list[object] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results.append(work(i))
        except Exception as exc:  # noqa: BLE001 - the test reads every outcome
            results.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_posts_from_one_network_get_five_tickets(ref):
    forms = [form(nonce=f"par-{i}") for i in range(10)]
    codes = _race(10, lambda i: Client(REMOTE_ADDR="203.0.113.7").post("/public/submit/", forms[i]).status_code)
    assert sorted(codes) == [200] * services.SUBMITS_PER_HOUR + [400] * 5, codes
    assert Ticket.objects.count() == services.SUBMITS_PER_HOUR
    assert Attempt.objects.filter(scope="submit").count() == services.SUBMITS_PER_HOUR


@pytest.mark.django_db(transaction=True)
def test_forty_guesses_at_once_compare_at_most_five(replied):  # noqa: F811
    right = PHONE[-4:]
    guesses = [f"{i:04d}" for i in range(39)] + [right]

    def guess(i: int) -> int:
        response = Client(REMOTE_ADDR=f"203.0.113.{i}").post(
            "/public/track/", {"code": replied.code, "last4": guesses[i]}
        )
        if response.status_code == 302:
            return 1
        return 0 if "一小时" in response.content.decode() or "an hour" in response.content.decode() else -1

    outcomes = _race(len(guesses), guess)
    # At most five wrong guesses were compared; the rest were refused unread. (A right answer gives
    # its slot back, so when it came among the first five one more wrong guess was compared: the
    # lock counts failures, and an attacker who already has the digits gains nothing.)
    assert outcomes.count(-1) <= FAILED_LOOKUPS_PER_CODE, outcomes
    assert outcomes.count(1) <= 1 and not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert outcomes.count(0) >= len(guesses) - FAILED_LOOKUPS_PER_CODE - 1
    assert Attempt.objects.filter(scope="track-fail").count() == outcomes.count(-1)
