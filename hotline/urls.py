from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hotline.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tickets/<str:code>/", views.ticket_detail, name="ticket-detail"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("insight/", include("hotline.insight.urls")),
    path("admin/", admin.site.urls),
]
