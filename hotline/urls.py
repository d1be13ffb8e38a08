from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from hotline.publicity import manage as cases
from hotline.web.views import (
    audit,
    batch,
    calls,
    console,
    dashboard,
    home,
    knowledge,
    pool,
    pickers,
    printing,
    queues,
    spotchecks,
    team,
    ticket,
)

urlpatterns = [
    path("", include("hotline.ops.urls")),  # /healthz, /readyz, /metrics
    path("", home.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says (m16).
    # Lazy: under `hotline serve` the hashed name comes from the manifest, which collectstatic
    # writes after this module is imported (by the start-up checks).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("web/favicon.svg"), permanent=True)),
    path("live/", home.live, name="live"),
    path("console/", console.console, name="console"),
    path("console/caller/", console.caller, name="console-caller"),
    path("console/suggest/", console.suggest, name="console-suggest"),
    path("console/incoming/", calls.incoming, name="console-incoming"),
    path("callbacks/", calls.callbacks, name="callbacks"),
    path("calls/dial/", calls.dial, name="call-dial"),
    path("knowledge/", knowledge.knowledge, name="knowledge"),
    path("knowledge/new/", knowledge.article_edit, name="article-new"),
    path("knowledge/<int:pk>/edit/", knowledge.article_edit, name="article-edit"),
    path("knowledge/propose/", knowledge.propose, name="article-propose"),
    path("knowledge/proposals/", knowledge.proposals, name="article-proposals"),
    path("queue/", queues.queue, name="queue"),
    path("queue/dispatch/", batch.dispatch_tickets, name="batch-dispatch"),
    path("inbox/sign/", batch.sign_tickets, name="batch-sign"),
    path("extensions/decide/", batch.decide_extensions, name="batch-extensions"),
    path("spot-checks/record/", batch.record_findings, name="batch-findings"),
    path("inbox/", queues.inbox, name="inbox"),
    path("revisits/", queues.revisits, name="revisits"),
    path("extensions/", queues.extensions, name="extensions"),
    path("long-cycles/", queues.long_cycles, name="long-cycles"),
    path("reviews/", queues.reviews, name="reviews"),
    path("extensions/<int:pk>/decide/", queues.decide, name="extension-decide"),
    path("pool/", pool.pool, name="pool"),
    path("search/", pool.search, name="search"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("pick/<slug:kind>/", pickers.pick, name="pick"),
    path("team/", team.team, name="team"),
    path("spot-checks/", spotchecks.spot_checks, name="spot-checks"),
    path("spot-checks/draw/", spotchecks.draw_batch, name="spot-check-draw"),
    path("spot-checks/<int:pk>/", spotchecks.record, name="spot-check-record"),
    path("reports/", include("hotline.reports.urls")),
    path("tickets/<str:code>/", ticket.ticket_detail, name="ticket-detail"),
    path("tickets/<str:code>/print/", printing.ticket_sheet, name="ticket-print"),
    path("tickets/<str:code>/print/orders/<int:pk>/", printing.order_sheet, name="order-print"),
    path("tickets/<str:code>/attachments/<int:pk>/", ticket.attachment, name="ticket-attachment"),
    path("tickets/<str:code>/<slug:action>/", ticket.ticket_action, name="ticket-action"),
    path("cases/", cases.case_list, name="case-list"),
    path("cases/<int:pk>/", cases.case_edit, name="case-edit"),
    path("cases/from/<str:code>/", cases.case_from_ticket, name="case-from-ticket"),
    path("public/", include("hotline.publicity.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("insight/", include("hotline.insight.urls")),
    path("audit/", audit.audit_log, name="audit"),
    path("admin/", admin.site.urls),
    path("s/", include("hotline.supervision.urls")),
    path("api/v1/", include("hotline.api.urls")),
    path("open311/v2/", include("hotline.api.open311")),
]

handler400 = "hotline.web.views.errors.bad_request"
handler403 = "hotline.web.views.errors.permission_denied"
handler404 = "hotline.web.views.errors.page_not_found"
handler500 = "hotline.web.views.errors.server_error"
