"""Spans of time a centre writes in its policy: ``20m`` (minutes), ``4h`` (hours, both on the
clock) or ``1d`` (working days). No Django here: the settings module parses with it too."""

from __future__ import annotations

UNITS = {"m": "minutes", "h": "hours", "d": "working_days"}
SYMBOLS = {v: k for k, v in UNITS.items()}

Span = tuple[str, int]


class SpanError(ValueError):
    pass


def parse_spans(text: str) -> dict[str, Span]:
    """``key=span`` pairs separated by commas: ``emergency=20m,urgent=2h,normal=1d``."""
    out: dict[str, Span] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        key, _sep, span = pair.partition("=")
        span = span.strip()
        if not key.strip() or len(span) < 2 or span[-1] not in UNITS or not span[:-1].isdigit() or int(span[:-1]) < 1:
            raise SpanError(f"{pair.strip()!r} is not key=<n>m, key=<n>h or key=<n>d")
        if key.strip() in out:
            raise SpanError(f"{key.strip()!r} is given twice")
        out[key.strip()] = (UNITS[span[-1]], int(span[:-1]))
    return out


def format_spans(spans: dict[str, Span]) -> str:
    return ",".join(f"{key}={n}{SYMBOLS[unit]}" for key, (unit, n) in spans.items())
