"""Idempotency-Key on every POST: the same key and body get the first answer, another body 409.

The unique (client, key) row is the check: a second call with the key waits on the first one's
insert (PostgreSQL) and then reads its stored answer. An answer that is an error is not kept:
its transaction is rolled back with the row, so the partner may fix the input and retry."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApiError
from .models import IdempotencyRecord, PartnerClient

MAX_KEY = 200


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n")  # type: ignore[union-attr]
    digest.update(request.body)
    return digest.hexdigest()


def idempotent(
    request: HttpRequest, client: PartnerClient, run: Callable[[], tuple[int, dict[str, Any]]]
) -> JsonResponse:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ApiError(400, "idempotency_key_required", _("Every POST needs an Idempotency-Key header."))
    if len(key) > MAX_KEY or not key.isprintable():
        raise ApiError(400, "idempotency_key_invalid", _("The Idempotency-Key is at most 200 printable characters."))
    fp = fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client=client, key=key, fingerprint=fp, created_at=timezone.now()
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(client=client, key=key)
            if record.fingerprint != fp:
                raise ApiError(409, "idempotency_conflict", _("This Idempotency-Key was used with another request."))
            if not record.status:
                raise ApiError(409, "idempotency_in_progress", _("The first request with this key is still running."))
            response = JsonResponse(record.response, status=record.status, json_dumps_params={"ensure_ascii": False})
            response["Idempotent-Replayed"] = "true"
            return response
        status, body = run()
        record.status, record.response = status, body
        record.save(update_fields=["status", "response"])
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
