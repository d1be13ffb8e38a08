"""The intake channels a Xining-style centre receives on, as data."""

from __future__ import annotations

import csv
import io
from importlib import resources

from .models import Channel


def load_channels() -> int:
    text = (resources.files("hotline.intake") / "data" / "channels.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    for n, row in enumerate(rows):
        Channel.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "kind": row["kind"], "sort": n}
        )
    return len(rows)
