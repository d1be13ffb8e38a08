"""The ``hotline`` console command: Django's management commands under the project's name.

``hotline demo``, ``hotline serve``, ``hotline worker``, ``hotline simulate --days 30``, ``hotline migrate``…
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    args = sys.argv[1:] if argv is None else argv
    if args[:1] in (["serve"], ["demo"]):
        # The production server serves hashed, compressed static files with far-future caching;
        # they need the manifest that its collectstatic writes (settings: STORAGES).
        os.environ.setdefault("HOTLINE_STATIC_MANIFEST", "True")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hotline", *args])


if __name__ == "__main__":
    main()
