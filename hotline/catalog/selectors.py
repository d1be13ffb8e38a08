"""Reads of the catalogue: finding matters by their keywords, for the intake console before a
classifier is trained."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.caching import ProcessCache

from .models import Matter


@dataclass(frozen=True)
class MatterHit:
    matter: Matter
    score: int
    words: tuple[str, ...]  # the catalogue keywords found in the text


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _load_leaves() -> list[tuple[Matter, tuple[str, ...], frozenset[str]]]:
    leaves = Matter.objects.filter(is_leaf=True, is_active=True).select_related("function")
    return [
        (m, tuple(w for w in m.keywords.split() if len(w) >= 2), _bigrams(f"{m.name} {m.examples}")) for m in leaves
    ]


_leaves = ProcessCache(_load_leaves)


def clear_cache() -> None:
    _leaves.clear_now_and_on_commit()


def matters_for_text(text: str, *, limit: int = 5) -> list[MatterHit]:
    """Leaf matters whose keywords occur in ``text``, most (and longest) keywords first; ties go to
    the matter whose name and example requests share most two-character pieces with the text."""
    text = (text or "")[:2000]
    if not text.strip():
        return []
    pieces = _bigrams(text)
    hits = []
    for matter, words, grams in _leaves.get():
        found = tuple(w for w in words if w in text)
        if found:
            hits.append((sum(len(w) for w in found), len(pieces & grams), MatterHit(matter, 0, found)))
    hits.sort(key=lambda h: (-h[0], -h[1], h[2].matter.code))
    return [MatterHit(hit.matter, score, hit.words) for score, _overlap, hit in hits[:limit]]
