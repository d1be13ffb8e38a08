"""Receivers that write the audit trail: sign-ins and their failures (Django's auth signals and
django-axes' lock-out), and changes to an account's role, unit or powers, wherever they are made."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from hotline.orgs.models import Staff

from .services import Kind, record

SIGNED_IN_AT = "hotline_signed_in_at"
SEEN_AT = "hotline_seen_at"


@receiver(user_logged_in)
def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        import time

        # The session's absolute age and its idleness are counted from here.
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = time.time()
    record(Kind.LOGIN, request=request, actor=user)


@receiver(user_logged_out)
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(Kind.LOGOUT, request=request, actor=user)


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    record(Kind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150] or "?")


def _locked_out(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    record(Kind.LOCKED_OUT, request=request, username=(username or "?")[:150])


try:  # django-axes' own signal, sent when an account is locked
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="hotline.audit.locked_out")
except ImportError:  # pragma: no cover - axes is a dependency
    pass


_STAFF_FIELDS = ("role", "unit_id")
_USER_FIELDS = ("is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=Staff)
def _staff_before(sender: Any, instance: Staff, **kwargs: Any) -> None:
    old = Staff.objects.filter(pk=instance.pk).values(*_STAFF_FIELDS).first() if instance.pk else None
    instance._audit_before = old  # type: ignore[attr-defined]


@receiver(post_save, sender=Staff)
def _staff_after(sender: Any, instance: Staff, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_audit_before", None)
    new = {"role": instance.role, "unit_id": instance.unit_id}
    if old == new:
        return
    user = instance.user
    detail = f"{old or {}} -> {new}" if not created else f"created {new}"
    record(Kind.ROLE, target=user.get_username(), detail=detail)


def _user_before(sender: Any, instance: Any, **kwargs: Any) -> None:
    model = get_user_model()
    old = model.objects.filter(pk=instance.pk).values(*_USER_FIELDS).first() if instance.pk else None
    instance._audit_before = old


def _user_after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_audit_before", None)
    new = {f: getattr(instance, f) for f in _USER_FIELDS}
    if created:
        record(Kind.ACCOUNT, target=instance.get_username(), detail=f"created {new}")
    elif old is not None and old != new:
        record(Kind.ACCOUNT, target=instance.get_username(), detail=f"{old} -> {new}")


pre_save.connect(_user_before, sender=get_user_model(), dispatch_uid="hotline.audit.user_before")
post_save.connect(_user_after, sender=get_user_model(), dispatch_uid="hotline.audit.user_after")
