"""Policies are entered in the admin: a new row from today or later; a row in force is read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import Policy


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ["effective_from", "note", *services.values_of_settings_as_fields()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("effective_from") is not None:
            services.check_date(data["effective_from"])
        services.check({name: data.get(name) for name in services.FIGURES})
        return data


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ["effective_from", "note", "weight_response", "weight_resolution", "weight_satisfaction"]
    list_display += ["zone_mode", "min_revisits", "dispatch_due", "created_by"]
    readonly_fields = ["created_at", "created_by"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # No bulk delete: it would skip the per-row check below.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A new row starts from the policy in force today (or the settings before the first row).
        current = services.in_force()
        if current.pk is not None:
            row = Policy.objects.get(pk=current.pk)
            return {name: getattr(row, name) for name in services.FIGURES}
        return services.values_of_settings_as_fields()

    def has_change_permission(self, request: HttpRequest, obj: Policy | None = None) -> bool:
        if obj is not None and services.in_force_already(obj):
            return False  # shown read-only: a policy in force is never edited
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Policy | None = None) -> bool:
        if obj is not None and services.in_force_already(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Policy, form: forms.ModelForm, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
