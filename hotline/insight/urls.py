from django.urls import path

from hotline.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("repeats/", views.repeats_panel, name="repeats"),
    path("hotspots/<int:pk>/", views.hotspot_detail, name="hotspot"),
    path("hotspots/<int:pk>/project/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/milestones/<int:milestone>/done/", views.milestone_done, name="milestone-done"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/acknowledge/", views.warning_acknowledge, name="warning-acknowledge"),
]
