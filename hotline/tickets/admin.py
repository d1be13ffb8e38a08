"""Tickets in the admin are for reading: every change goes through the services and leaves an event."""

from django.contrib import admin

from hotline.readonly import ReadOnlyAdmin, ReadOnlyInline

from .models import Assignment, Extension, PersonalDataAccess, Ticket, TicketEvent


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = readonly_fields = ("seq", "created_at", "action", "from_status", "to_status", "unit", "actor", "note")


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = readonly_fields = ("unit", "role", "state", "dispatched_at", "signed_at", "replied_at")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "status", "channel", "lead_unit", "received_at", "resolve_state"]
    list_filter = ["status", "channel", "urgency", "resolve_state", "deadlines_provisional"]
    search_fields = ["code", "title"]
    date_hierarchy = "received_at"
    inlines = [AssignmentInline, EventInline]
    list_select_related = ["channel", "lead_unit"]
    # Personal data is shown only on the ticket page, where each view is logged.
    exclude = ["requester_name", "requester_phone"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "unit", "days", "state", "requested_at", "decided_at"]
    list_filter = ["state"]
    raw_id_fields = ["ticket", "unit"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ["viewed_at", "viewer", "ticket", "purpose"]
    list_filter = ["purpose"]
    date_hierarchy = "viewed_at"
    raw_id_fields = ["ticket", "viewer"]
