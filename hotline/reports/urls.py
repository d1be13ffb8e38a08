from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("view/", views.report_view, name="report-view"),
    path("generate/", views.regenerate, name="report-generate"),
    path("<int:pk>/download/", views.download, name="report-download"),
]
