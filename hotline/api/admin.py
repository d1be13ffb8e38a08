"""Partner clients in the admin: the token (and webhook secret) is shown once, on saving."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from hotline.readonly import ReadOnlyAdmin

from . import services
from .models import ApiCall, PartnerClient, Scope


class ClientForm(forms.ModelForm):
    webhook_url = forms.URLField(label=_("webhook URL"), max_length=120, required=False, assume_scheme="https")
    scope_list = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = PartnerClient
        fields = [
            "name",
            "channel",
            "scope_list",
            "unit",
            "agency",
            "rate_limit",
            "ip_allow",
            "webhook_url",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope_list"].initial = sorted(self.instance.scope_set)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.instance.scopes = ",".join(data.get("scope_list") or [])
        return data


@admin.register(PartnerClient)
class PartnerClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = ["name", "channel", "scopes", "unit", "rate_limit", "webhook_url", "is_active"]
    list_filter = ["is_active", "channel"]
    raw_id_fields = ["unit"]
    actions = ["issue_new_token"]

    def save_model(self, request: HttpRequest, obj: PartnerClient, form: Any, change: bool) -> None:
        shown = services.save_client(obj)
        for what, value in shown.items():
            label = _t("Token") if what == "token" else _t("Webhook secret")
            messages.warning(
                request, _t("%(what)s (shown once, copy it now): %(value)s") % {"what": label, "value": value}
            )

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def issue_new_token(self, request: HttpRequest, queryset: QuerySet[PartnerClient]) -> None:
        for client in queryset:
            token = services.rekey(client)
            messages.warning(
                request, _t("%(what)s (shown once, copy it now): %(value)s") % {"what": client.name, "value": token}
            )


@admin.register(ApiCall)
class ApiCallAdmin(ReadOnlyAdmin):
    list_display = ["at", "client", "method", "path", "ticket_code", "status", "code", "ip"]
    list_filter = ["status", "client"]
    search_fields = ["ticket_code", "path"]
