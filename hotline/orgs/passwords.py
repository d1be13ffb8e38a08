"""Password rules beyond Django's own (等保 level 3 asks for "complexity"): a staff password mixes
at least three of four kinds of character."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_KINDS = (str.islower, str.isupper, str.isdigit)


def kinds_in(password: str) -> int:
    """How many of lower-case letters, upper-case letters, digits and other characters occur."""
    found = {i for c in password for i, test in enumerate(_KINDS) if test(c)}
    if any(not c.isalnum() or not c.isascii() for c in password):
        found.add(len(_KINDS))
    return len(found)


class CharacterKindsValidator:
    def __init__(self, min_kinds: int = 3) -> None:
        self.min_kinds = min_kinds

    def validate(self, password: str, user: Any = None) -> None:
        if kinds_in(password) < self.min_kinds:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(n)d of: lower-case letters, upper-case letters, digits, "
            "other characters."
        ) % {"n": self.min_kinds}
