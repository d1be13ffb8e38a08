"""The agencies a Xining-style centre links with and starter lists of matters each way, as data
(the centre edits them in the admin; Tianjin's full lists are 64 items out and 105 in)."""

from __future__ import annotations

from hotline.tabular import package_table

from .models import Agency, LinkageMatter


def load_linkage() -> int:
    rows = package_table(
        "linkage",
        "agencies.csv",
        required=["code", "name", "kind", "place", "channel", "receipt_minutes", "feedback_hours"],
    )
    for row in rows:
        Agency.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "place": row["place"],
                "channel_id": row["channel"] or None,
                "receipt_minutes": int(row["receipt_minutes"]),
                "feedback_hours": int(row["feedback_hours"]),
            },
        )
    matters = package_table("linkage", "matters.csv", required=["agency", "direction", "category", "name"])
    for n, row in enumerate(matters):
        LinkageMatter.objects.get_or_create(
            agency_id=row["agency"],
            direction=row["direction"],
            category=row["category"],
            name=row["name"],
            defaults={"sort": n},
        )
    return len(rows) + len(matters)
