from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from hotline.readonly import ReadOnlyAdmin, ReadOnlyInline

from . import locate, store
from .models import ClassifierModel, Consultation, ConsultationTask, DispatchCorrection, GazetteerEntry

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest


@admin.register(GazetteerEntry)
class GazetteerEntryAdmin(admin.ModelAdmin):
    """The centre keeps roads, estates and landmarks here; bulk changes come from
    ``hotline gazetteer import FILE.xlsx``."""

    list_display = ["name", "kind", "region", "source", "hits", "updated_at"]
    list_filter = ["kind", "source"]
    search_fields = ["name", "aliases", "region__name"]
    raw_id_fields = ["region"]

    def save_model(self, request: HttpRequest, obj: GazetteerEntry, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        locate.clear_cache()

    def delete_model(self, request: HttpRequest, obj: GazetteerEntry) -> None:
        super().delete_model(request, obj)
        locate.clear_cache()


@admin.action(description=_("Make this version the active classifier"))
def activate(modeladmin: ClassifierModelAdmin, request: HttpRequest, queryset: QuerySet[ClassifierModel]) -> None:
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Choose exactly one version."), messages.ERROR)
        return
    store.activate_version(queryset.get())


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "source", "n_train", "n_labels", "threshold", "size_bytes", "is_active"]
    list_filter = ["source", "is_active"]
    readonly_fields = [f.name for f in ClassifierModel._meta.fields]
    actions = [activate]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(DispatchCorrection)
class DispatchCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ticket", "suggested_matter", "chosen_matter", "suggested_unit", "chosen_unit"]


class ConsultationTaskInline(ReadOnlyInline):
    model = ConsultationTask
    fields = readonly_fields = ("unit", "lead", "task", "reply", "replied_at")


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    """Consultations are opened and decided through the services (they dispatch the ticket)."""

    list_display = ["ticket", "topic", "lead_unit", "opened_at", "decided_at"]
    inlines = [ConsultationTaskInline]
