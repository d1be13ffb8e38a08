"""The ``hotline`` console command: Django's management commands under the project's name.

``hotline demo``, ``hotline simulate --days 30``, ``hotline migrate``, ``hotline runserver``…
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hotline", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
