from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

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
    list_display = ["code", "name", "short_name", "kind", "region", "reply_review", "is_active"]
    list_filter = ["kind", "reply_review", "is_active"]
    search_fields = ["code", "name", "short_name"]
    raw_id_fields = ["region", "parent"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "unit__name"]
    raw_id_fields = ["user", "unit"]


class StaffInline(admin.StackedInline):
    model = Staff
    can_delete = False
    raw_id_fields = ["unit"]


class PersonAdmin(UserAdmin):
    """People: a user account with their role and unit on the same page."""

    inlines = [StaffInline]
    list_display = ["username", "first_name", "staff_role", "staff_unit", "is_active"]
    list_select_related = ["staff__unit"]

    @admin.display(description=_("role"))
    def staff_role(self, user: User) -> str:
        return user.staff.get_role_display() if hasattr(user, "staff") else ""

    @admin.display(description=_("unit"))
    def staff_unit(self, user: User) -> str:
        return str(user.staff.unit) if hasattr(user, "staff") else ""


admin.site.unregister(User)
admin.site.register(User, PersonAdmin)
