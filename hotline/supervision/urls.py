"""Short public paths (the SMS rating link) and the supervision downloads, under ``/s/``."""

from django.urls import path

from hotline.evaluation import views as evaluation_views

from . import views

urlpatterns = [
    path("rate/<str:token>/", evaluation_views.rate, name="rate"),
    path("notices/spot-checks/<str:batch>.docx", views.spot_check_notice, name="spot-check-notice"),
    path("notices/orders/<int:pk>.docx", views.order_notice, name="order-notice"),
    path("orders/<int:pk>/", views.order_page, name="order-page"),
    path("qa/", views.qa_month, name="qa"),
    path("qa/<int:pk>/", views.qa_review, name="qa-review"),
]
