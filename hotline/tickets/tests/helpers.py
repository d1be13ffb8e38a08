"""Small builders shared by the ticket tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hotline.catalog.models import Matter
from hotline.intake.services import register_ticket


def at(y, m, d, h=10, mi=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, h, mi))


def township_matter() -> Matter:
    return Matter.objects.filter(is_leaf=True, owner_level="township", tier=7).order_by("code").first()


def new_ticket(operator, when=None, **kwargs):
    fields = {
        "channel": "phone_12345",
        "content": "小区门口占道经营，早晚高峰堵得走不动，希望管一管。",
        "requester_name": "王先生",
        "requester_phone": "13912345678",
        "address": "城东区东关大街街道东关大街12号",
    }
    fields.update(kwargs)
    ticket, created = register_ticket(actor=operator, received_at=when or at(2026, 11, 2, 9), **fields)
    assert created
    return ticket
