"""One demo login per role, each tied to a realistic unit. The password is printed by ``hotline demo``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from hotline.orgs.models import Staff, Unit

DEMO_PASSWORD = "hotline-demo-2026"

# (username, display name, role, unit selector)
PERSONAS: list[tuple[str, str, str, dict[str, str]]] = [
    ("admin", "系统管理员", Staff.Role.ADMIN, {"kind": Unit.Kind.CENTRE}),
    ("operator", "话务员 李娜", Staff.Role.OPERATOR, {"kind": Unit.Kind.CENTRE}),
    ("dispatcher", "派单员 王强", Staff.Role.DISPATCHER, {"kind": Unit.Kind.CENTRE}),
    ("supervisor", "督办员 马丽", Staff.Role.SUPERVISOR, {"kind": Unit.Kind.CENTRE}),
    ("leader", "分管领导 张建国", Staff.Role.LEADER, {"kind": Unit.Kind.CENTRE}),
    ("street", "街道承办人 韩梅", Staff.Role.HANDLER, {"kind": Unit.Kind.TOWNSHIP, "name__contains": "东关大街街道"}),
    (
        "street-head",
        "街道负责人 赵刚",
        Staff.Role.UNIT_MANAGER,
        {"kind": Unit.Kind.TOWNSHIP, "name__contains": "东关大街街道"},
    ),
    (
        "district",
        "城东区12345分中心 刘敏",
        Staff.Role.DISTRICT,
        {"kind": Unit.Kind.DISTRICT_DEPT, "code": "D630102-GOVSVC"},
    ),
    ("housing", "市住建局承办人 陈晓", Staff.Role.HANDLER, {"kind": Unit.Kind.CITY_DEPT, "functions__code": "housing"}),
]


def create_personas() -> list[tuple[str, str, str]]:
    """Create (or reset) the demo users; returns (username, display name, unit) rows."""
    User = get_user_model()
    out = []
    with transaction.atomic():
        for username, display, role, selector in PERSONAS:
            unit = Unit.objects.filter(**selector).order_by("code").first()
            if unit is None:
                continue
            user, _created = User.objects.get_or_create(username=username)
            user.first_name = display
            user.is_staff = role == Staff.Role.ADMIN
            user.is_superuser = role == Staff.Role.ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
            Staff.objects.update_or_create(user=user, defaults={"role": role, "unit": unit})
            if role == Staff.Role.UNIT_MANAGER and not unit.reply_review:
                # The demo street office has a manager: its handler's replies wait for her review.
                Unit.objects.filter(pk=unit.pk).update(reply_review=True)
            out.append((username, display, str(unit)))
    return out
