"""Text as citizens and staff type it: control characters out, surrounding blanks off."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str:
    """NUL and other control characters removed (PostgreSQL refuses NUL), ends stripped."""
    return _CONTROL.sub("", value or "").strip()
