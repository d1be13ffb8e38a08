"""Deliveries in the admin, for reading: enqueue and the worker are their only writers."""

from django.contrib import admin

from hotline.readonly import ReadOnlyAdmin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["key", "channel", "address", "state", "attempts", "next_attempt_at", "transport"]
    list_filter = ["state", "channel"]
    raw_id_fields = ["ticket"]
