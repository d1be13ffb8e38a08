from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Function, Region, Staff, Unit, UnitAlias, UnitFunction


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


@admin.register(UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    """Unit names from imported history: fuzzy proposals wait here for a person's confirmation,
    names that matched nothing wait for a unit. Setting a unit by hand and saving confirms it."""

    list_display = ["name", "unit", "how", "score", "confirmed", "rows", "source"]
    list_filter = ["confirmed", "how"]
    search_fields = ["name", "unit__name"]
    raw_id_fields = ["unit"]
    readonly_fields = ["how", "score", "rows", "source", "updated_at"]
    actions = ["confirm"]

    @admin.action(description=_("Confirm the selected names' units"))
    def confirm(self, request: HttpRequest, queryset: QuerySet[UnitAlias]) -> None:
        done = queryset.exclude(unit=None).update(confirmed=True)
        self.message_user(request, _("%(n)d names confirmed.") % {"n": done})

    def save_model(self, request: HttpRequest, obj: UnitAlias, form: object, change: bool) -> None:
        if obj.unit_id is not None and obj.confirmed is False and form is not None:
            changed = getattr(form, "changed_data", [])
            if "unit" in changed:  # a person chose the unit: that is the confirmation
                obj.how, obj.confirmed = UnitAlias.How.MANUAL, True
        super().save_model(request, obj, form, change)


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
