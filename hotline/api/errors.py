"""API errors: JSON with a stable ``code`` and a Chinese ``message``; never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            out["fields"] = self.fields
        return out


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("No such ticket, or not one this client may see."))


def from_validation(exc: ValidationError) -> ApiError:
    fields = (
        {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": [str(m) for m in exc.messages]}
    )
    first = next(iter(fields.values()))[0] if fields else _("The input is not valid.")
    return ApiError(400, "invalid", first, fields)
