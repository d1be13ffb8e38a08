"""The safety-hazard daily report's configuration, read from a TOML data file."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_T = TypeVar("_T")

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "safety.toml"
EVERY_OTHER = "*"


@dataclass(frozen=True)
class Source:
    name: str
    channels: tuple[str, ...]


@dataclass(frozen=True)
class SafetyConfig:
    city: str
    matters: tuple[str, ...]
    topic_level: int
    topics: int
    closing: str
    sources: tuple[Source, ...]

    def source_of(self, channel: str) -> str | None:
        """The name of the source a channel belongs to; None when no source takes it."""
        for source in self.sources:
            if channel in source.channels:
                return source.name
        for source in self.sources:
            if EVERY_OTHER in source.channels:
                return source.name
        return None


def parse(text: str, *, origin: str = "safety report configuration") -> SafetyConfig:
    """Read and check the configuration; anything malformed is refused with ImproperlyConfigured."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImproperlyConfigured(f"{origin}: not valid TOML: {exc}")

    def need(key: str, kind: type[_T]) -> _T:
        value = raw.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ImproperlyConfigured(f"{origin}: {key!r} must be a {kind.__name__}")
        return value

    matters = need("matters", list)
    if not matters or not all(isinstance(m, str) and m.isdigit() for m in matters):
        raise ImproperlyConfigured(f"{origin}: 'matters' must list catalogue codes (digits)")
    sources = []
    for entry in need("sources", list):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ImproperlyConfigured(f"{origin}: every source needs a name")
        channels = entry.get("channels")
        if not isinstance(channels, list) or not channels or not all(isinstance(c, str) for c in channels):
            raise ImproperlyConfigured(f"{origin}: source {entry['name']!r} must list its channels")
        sources.append(Source(entry["name"].strip(), tuple(channels)))
    if not sources:
        raise ImproperlyConfigured(f"{origin}: name at least one source")
    if sum(EVERY_OTHER in s.channels for s in sources) > 1:
        raise ImproperlyConfigured(f"{origin}: only one source may take every other channel ('*')")
    level, topics = need("topic_level", int), need("topics", int)
    if not 1 <= level <= 5 or not 0 <= topics <= 20:
        raise ImproperlyConfigured(f"{origin}: topic_level must be 1-5 and topics 0-20")
    return SafetyConfig(
        city=need("city", str).strip(),
        matters=tuple(matters),
        topic_level=level,
        topics=topics,
        closing=need("closing", str).strip(),
        sources=tuple(sources),
    )


@functools.cache
def _load(path: str) -> SafetyConfig:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ImproperlyConfigured(f"cannot read the safety report configuration {path}: {exc}")
    return parse(text, origin=path)


def safety_config() -> SafetyConfig:
    return _load(str(settings.HOTLINE.get("SAFETY_REPORT_FILE") or DEFAULT_FILE))
