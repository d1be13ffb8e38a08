from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hotline.publicity import manage as cases
from hotline.web.views import console, dashboard, home, knowledge, pool, queues, spotchecks, ticket

urlpatterns = [
    path("", home.home, name="home"),
    path("console/", console.console, name="console"),
    path("console/caller/", console.caller, name="console-caller"),
    path("console/suggest/", console.suggest, name="console-suggest"),
    path("knowledge/", knowledge.knowledge, name="knowledge"),
    path("knowledge/new/", knowledge.article_edit, name="article-new"),
    path("knowledge/<int:pk>/edit/", knowledge.article_edit, name="article-edit"),
    path("knowledge/propose/", knowledge.propose, name="article-propose"),
    path("knowledge/proposals/", knowledge.proposals, name="article-proposals"),
    path("queue/", queues.queue, name="queue"),
    path("inbox/", queues.inbox, name="inbox"),
    path("revisits/", queues.revisits, name="revisits"),
    path("extensions/", queues.extensions, name="extensions"),
    path("long-cycles/", queues.long_cycles, name="long-cycles"),
    path("reviews/", queues.reviews, name="reviews"),
    path("extensions/<int:pk>/decide/", queues.decide, name="extension-decide"),
    path("pool/", pool.pool, name="pool"),
    path("search/", pool.search, name="search"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("spot-checks/", spotchecks.spot_checks, name="spot-checks"),
    path("spot-checks/draw/", spotchecks.draw_batch, name="spot-check-draw"),
    path("spot-checks/<int:pk>/", spotchecks.record, name="spot-check-record"),
    path("reports/", include("hotline.reports.urls")),
    path("tickets/<str:code>/", ticket.ticket_detail, name="ticket-detail"),
    path("tickets/<str:code>/attachments/<int:pk>/", ticket.attachment, name="ticket-attachment"),
    path("tickets/<str:code>/<slug:action>/", ticket.ticket_action, name="ticket-action"),
    path("cases/", cases.case_list, name="case-list"),
    path("cases/<int:pk>/", cases.case_edit, name="case-edit"),
    path("cases/from/<str:code>/", cases.case_from_ticket, name="case-from-ticket"),
    path("public/", include("hotline.publicity.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("insight/", include("hotline.insight.urls")),
    path("admin/", admin.site.urls),
    path("s/", include("hotline.supervision.urls")),
]
