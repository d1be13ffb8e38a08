"""The top bar: the links of the signed-in person's role."""

from __future__ import annotations

from .roles import NAV, role_of, unit_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    return {"nav_links": NAV.get(role, []), "nav_role": role, "nav_unit": unit_of(user)}
