"""Masking for what partners read: ID numbers (the platform's one function) and phone numbers."""

from __future__ import annotations

import re

from hotline.text import mask_id_numbers

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def masked(text: str) -> str:
    return _PHONE.sub(r"\1****\2", mask_id_numbers(text or ""))
