"""Transport plugins: how a delivery leaves the platform.

Each transport is a callable ``send(delivery) -> None`` that raises ``TransportError`` (or any
exception) when the message did not go out. Which transport carries a channel is a setting
(``HOTLINE_SMS_TRANSPORT``, ``HOTLINE_EMAIL_TRANSPORT``); the default writes to a local outbox file,
so a demo or a staging site can never reach a real citizen.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage

from .models import Delivery


class TransportError(Exception):
    pass


Transport = Callable[[Delivery], None]
REGISTRY: dict[str, Transport] = {}


def register(name: str) -> Callable[[Transport], Transport]:
    def wrap(fn: Transport) -> Transport:
        REGISTRY[name] = fn
        return fn

    return wrap


def _payload(delivery: Delivery) -> dict:
    return {
        "key": delivery.key,
        "channel": delivery.channel,
        "to": delivery.address,
        "subject": delivery.subject,
        "body": delivery.body,
    }


@register("console")
def console(delivery: Delivery) -> None:
    sys.stdout.write(json.dumps(_payload(delivery), ensure_ascii=False) + "\n")


@register("file")
def outbox_file(delivery: Delivery) -> None:
    """One JSON line per message in the outbox file (``var/outbox.jsonl``), once per key.

    Like a gateway that honours ``Idempotency-Key``: a worker killed after writing the line and
    before marking the message sent leaves it to be claimed again when its lease ends, and the
    second attempt must not write a second line (L7 of 2026-11-30). Only a retry (the row already
    counts an attempt) reads the file for its key; a first attempt only appends."""
    path = Path(settings.OUTBOX["FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    if delivery.attempts > 0 and path.exists() and _already_written(path, delivery.key):
        return
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(_payload(delivery), ensure_ascii=False) + "\n")


def _already_written(path: Path, key: str) -> bool:
    needle = json.dumps(key, ensure_ascii=False)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if needle in line:
                try:
                    if json.loads(line).get("key") == key:
                        return True
                except ValueError:  # a line cut short by a crash is not a message
                    continue
    return False


@register("email")
def email(delivery: Delivery) -> None:
    """Through Django's mail machinery (``HOTLINE_EMAIL_HOST`` and friends)."""
    sent = EmailMessage(
        subject=delivery.subject or delivery.body[:40],
        body=delivery.body,
        to=[delivery.address],
        headers={"Message-ID": f"<{delivery.key}@hotline>"},
    ).send(fail_silently=False)
    if sent != 1:
        raise TransportError(f"mail backend accepted {sent} messages")


@register("sms_http")
def sms_http(delivery: Delivery) -> None:
    """POST the message as JSON to an SMS gateway (``HOTLINE_SMS_URL``, bearer ``HOTLINE_SMS_TOKEN``).

    The delivery key travels as ``Idempotency-Key``, so a retry after a lost answer is not a second
    text message on the citizen's phone. Any answer but 2xx is a failure to retry.
    """
    conf = settings.OUTBOX
    url = conf["SMS_URL"]
    if not url:
        raise TransportError("HOTLINE_SMS_URL is not set")
    request = urllib.request.Request(
        url,
        data=json.dumps({"to": delivery.address, "text": delivery.body}, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": delivery.key,
            **({"Authorization": f"Bearer {conf['SMS_TOKEN']}"} if conf["SMS_TOKEN"] else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=conf["SMS_TIMEOUT"]) as response:  # noqa: S310 (URL is a setting)
            status = response.status
    except urllib.error.HTTPError as exc:
        raise TransportError(f"SMS gateway answered {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TransportError(f"SMS gateway unreachable: {exc}") from exc
    if not 200 <= status < 300:
        raise TransportError(f"SMS gateway answered {status}")


# The signing secret of a webhook delivery. The partner clients live in a layer above the outbox,
# which installs the lookup when it starts (``ApiConfig.ready``).
def _no_secret(delivery: Delivery) -> str:
    return ""


_webhook_secret: Callable[[Delivery], str] = _no_secret


def use_webhook_secrets(lookup: Callable[[Delivery], str]) -> None:
    global _webhook_secret
    _webhook_secret = lookup


def sign_webhook(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``: a receiver checks both, so an old delivery cannot be replayed
    with a fresh time."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@register("webhook")
def webhook(delivery: Delivery) -> None:
    """POST the delivery's JSON body to the partner's URL, signed; any answer but 2xx is retried.

    Headers: ``X-Hotline-Timestamp`` (Unix seconds), ``X-Hotline-Signature`` (``sha256=<hex>``),
    ``Idempotency-Key`` (the delivery key: a retry after a lost answer is recognisably the same)."""
    secret = _webhook_secret(delivery)
    if not secret:
        raise TransportError("the webhook has no signing secret")
    body = delivery.body.encode("utf-8")
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.address,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": delivery.key,
            "X-Hotline-Timestamp": timestamp,
            "X-Hotline-Signature": sign_webhook(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.OUTBOX["SMS_TIMEOUT"]) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise TransportError(f"webhook answered {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TransportError(f"webhook unreachable: {exc}") from exc
    if not 200 <= status < 300:
        raise TransportError(f"webhook answered {status}")


def transport_for(channel: str) -> tuple[str, Transport]:
    name = settings.OUTBOX["TRANSPORTS"].get(channel, "webhook" if channel == Delivery.Channel.WEBHOOK else "file")
    try:
        return name, REGISTRY[name]
    except KeyError:
        raise TransportError(f"no transport named {name!r} (known: {', '.join(sorted(REGISTRY))})")
