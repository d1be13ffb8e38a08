from django.contrib import admin

from .models import Function, Region, Staff, Unit, UnitFunction


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "aliases"]
    raw_id_fields = ["parent"]


@admin.register(Function)
class FunctionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class UnitFunctionInline(admin.TabularInline):
    model = UnitFunction
    extra = 1


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    inlines = [UnitFunctionInline]
    list_display = ["code", "name", "short_name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name"]
    raw_id_fields = ["region", "parent"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "unit__name"]
    raw_id_fields = ["user", "unit"]
