from django.contrib import admin

from .models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "matter", "is_active", "cited", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["title", "keywords", "answer"]
    autocomplete_fields = ["matter"]
    readonly_fields = ["cited", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
