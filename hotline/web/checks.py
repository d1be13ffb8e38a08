"""Start-up checks of a deployment (``hotline check --deploy``; ``hotline serve`` runs them too):
a site on the public demo key would accept sessions and SMS rating links anyone can forge."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def demo_secret_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from hotline.settings import secret_key_problem

    problem = secret_key_problem(settings.SECRET_KEY)
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Set HOTLINE_SECRET_KEY (or HOTLINE_SECRET_KEY_FILE) to a random key of 50 or more characters, "
            "and HOTLINE_REQUIRE_SECRET=True so the site refuses to start without one.",
            id="hotline.E001",
        )
    ]
