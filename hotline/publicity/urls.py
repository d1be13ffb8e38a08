from django.urls import path

from . import views

app_name = "publicity"
urlpatterns = [
    path("", views.index, name="index"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.ticket, name="ticket"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("figures/", views.figures, name="figures"),
    path("faq/", views.faq, name="faq"),
]
