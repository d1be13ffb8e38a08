"""统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a 31-character
set (digits and capitals without I, O, Z, S, V); characters 3–8 are the registering authority's
administrative division code; the 18th is a check character computed from the first 17."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character of a code whose first 17 are ``first17``."""
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    return "".join((code or "").split()).upper()


def problem(code: str) -> str:
    """Why ``code`` (already normalised) is not a valid code, in English for the caller to
    translate, or "" when it is valid."""
    if len(code) != 18:
        return "length"
    if any(ch not in CHARSET for ch in code):
        return "characters"
    if not code[2:8].isdigit():
        return "division"
    if check_character(code[:17]) != code[17]:
        return "check"
    return ""


def is_valid(code: str) -> bool:
    return problem(normalize(code)) == ""
