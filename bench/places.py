"""The place resolver on our labelled Xining addresses (hotline/dispatch/data/xining_addresses.csv).

Run by ``python -m bench`` (or ``python -m bench.places``); prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter


def score(rows) -> dict:
    from hotline.dispatch.locate import locate

    right, by_form, total_form, misses = 0, Counter(), Counter(), []
    for row in rows:
        guess = locate(row["address"])
        expected = row["expected"]
        if expected == "outside":
            ok = bool(guess.outside)
        elif expected == "unsure":
            ok = guess.unsure and not guess.outside
        else:
            ok = guess.region is not None and guess.region.code == expected and not guess.unsure
        right += ok
        by_form[row["form"]] += ok
        total_form[row["form"]] += 1
        if not ok:
            misses.append((row["address"], expected, guess.region.code if guess.region else guess.outside))
    return {
        "n": len(rows),
        "accuracy": round(right / len(rows), 4),
        "by_form": {f: round(by_form[f] / n, 3) for f, n in total_form.items()},
        "misses": misses[:15],
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from hotline.demo.reference import load_reference
    from hotline.tabular import package_table

    call_command("migrate", verbosity=0)
    load_reference()
    rows = package_table("dispatch", "xining_addresses.csv", required=["address", "expected", "form"])
    print(json.dumps(score(rows), ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
