"""The schedule's rows in the admin, for reading: the worker is their only writer."""

from django.contrib import admin

from hotline.readonly import ReadOnlyAdmin

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_started_at", "last_finished_at", "runs", "last_result"]
