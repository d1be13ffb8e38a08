"""The intake channels a Xining-style centre receives on, as data."""

from __future__ import annotations


from hotline.tabular import package_table

from .models import Channel


def load_channels() -> int:
    rows = package_table("intake", "channels.csv", required=["code", "name", "kind"])
    for n, row in enumerate(rows):
        Channel.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "kind": row["kind"], "sort": n}
        )
    return len(rows)
