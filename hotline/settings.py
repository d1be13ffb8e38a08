"""Django settings, read strictly from the environment.

Every setting a deployment changes comes from a ``HOTLINE_*`` variable; a secret may instead
come from ``<NAME>_FILE`` (the path of a file holding it), as container secrets are mounted.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import TypedDict, overload

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hotline.policy.spans import SpanError, parse_spans

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HOTLINE_VAR_DIR", BASE_DIR / "var"))


@overload
def env(name: str) -> str | None: ...
@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: str | None) -> str | None: ...


def env(name: str, default: str | None = None) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    # Refuse anything but True/False: "0", "no" or "off" silently meaning True has bitten others.
    value = env(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value == "True"


def envshare(name: str) -> float | None:
    """A share between 0 and 1, or None when the variable is unset."""
    value = env(name)
    if value is None or value == "":
        return None
    try:
        share = float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number between 0 and 1, not {value!r}") from exc
    if not 0 <= share <= 1:
        raise ImproperlyConfigured(f"{name} must be between 0 and 1, not {value!r}")
    return share


def envspans(name: str, default: str) -> dict[str, tuple[str, int]]:
    """``key=span`` pairs separated by commas, each span ``20m`` (minutes), ``4h`` (hours, both on
    the clock) or ``1d`` (working days): {"emergency": ("minutes", 20), ...}."""
    try:
        return parse_spans(env(name, default) or "")
    except SpanError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from exc


def envint(name: str, default: int) -> int:
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


DEBUG = envbool("HOTLINE_DEBUG", "False")
# The key of the demo and of a developer's checkout. Public (it is in this file): anything signed
# with it (sessions, the SMS rating links) can be forged by anyone, so production refuses it.
DEMO_SECRET_KEY = "insecure-local-demo-key-change-me"
# Production (HOTLINE_REQUIRE_SECRET=True, strictly True or False) needs a key of its own: set,
# not the demo key, and as long and varied as Django's deploy check asks (50 characters, 5 distinct).
REQUIRE_SECRET = envbool("HOTLINE_REQUIRE_SECRET", "False")
SECRET_KEY = env("HOTLINE_SECRET_KEY") or ""


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` cannot sign anything in production, or None."""
    if not key:
        return "HOTLINE_SECRET_KEY is required"
    if key == DEMO_SECRET_KEY:
        return "HOTLINE_SECRET_KEY is the public demo key"
    if len(key) < 50 or len(set(key)) < 5:
        return "HOTLINE_SECRET_KEY must have at least 50 characters, 5 of them different"
    return None


if REQUIRE_SECRET and not DEBUG and (problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(problem)
if not SECRET_KEY:
    # Good enough for the demo on 127.0.0.1, never for production (``hotline check --deploy`` and
    # ``hotline serve`` say so; HOTLINE_REQUIRE_SECRET=True refuses to start).
    SECRET_KEY = DEMO_SECRET_KEY
ALLOWED_HOSTS = [h for h in (env("HOTLINE_ALLOWED_HOSTS", "127.0.0.1,localhost") or "").split(",") if h]


def _networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    from hotline.clientip import parse_networks

    try:
        return parse_networks(env(name, "") or "")
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from exc


# The reverse proxies whose X-Forwarded-For / X-Real-IP say who the client is (hotline.clientip);
# from any other address those headers are ignored. Comma-separated addresses or networks.
TRUSTED_PROXIES = _networks("HOTLINE_TRUSTED_PROXIES")

# Behind a proxy that ends TLS: HOTLINE_HTTPS=True marks cookies Secure and sends HSTS; the proxy
# must set X-Forwarded-Proto (and overwrite any a client sent), which HOTLINE_PROXY_SSL_HEADER=True
# then believes, so that Django sees the request as HTTPS and CSRF's origin check passes.
HTTPS = envbool("HOTLINE_HTTPS", "False")
if envbool("HOTLINE_PROXY_SSL_HEADER", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("HOTLINE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and envbool("HOTLINE_HSTS_SUBDOMAINS", "False")
SECURE_SSL_REDIRECT = HTTPS and envbool("HOTLINE_SSL_REDIRECT", "False")
# Origins (scheme://host[:port]) a form may be posted from besides the site itself, e.g. the
# public address when the proxy rewrites the Host header.
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (env("HOTLINE_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Staff sessions (等保 level 3): signed out after this many idle minutes, and this many hours after
# signing in however busy (hotline.web.middleware.SessionLimitsMiddleware).
SESSION_IDLE_MINUTES = envint("HOTLINE_SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = envint("HOTLINE_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

INSTALLED_APPS = [
    "hotline.web",  # first, so its admin templates (base_site.html) override Django's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "ninja",  # its Swagger page's assets, served from here rather than a CDN
    "axes",
    "csp",
    "hotline.outbox",
    "hotline.worker",
    "hotline.orgs",
    "hotline.catalog",
    "hotline.workcal",
    "hotline.policy",
    "hotline.tickets",
    "hotline.intake",
    "hotline.calls",
    "hotline.dispatch",
    "hotline.handling",
    "hotline.evaluation",
    "hotline.reports",
    "hotline.knowledge",
    "hotline.publicity",
    "hotline.linkage",
    "hotline.supervision",
    "hotline.insight",
    "hotline.audit",
    "hotline.demo",
    "hotline.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hotline.web.middleware.RequestLimitsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hotline.audit.context.AuditContextMiddleware",
    "hotline.web.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hotline.api.middleware.ApiAuditMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in after the others ran.
    "axes.middleware.AxesMiddleware",
]

# 等保 level 3: staff sign-in is locked after repeated failures (django-axes). Counted per user name,
# so changing address does not help a guesser; a right password then still waits out the lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("HOTLINE_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = envint("HOTLINE_LOGIN_LOCK_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "hotline.clientip.client_ip_or_none"
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Not in the admin (its pages would speak English); unlock with `hotline axes_reset_username NAME`.
AXES_ENABLE_ADMIN = False

# Content-Security-Policy (django-csp): scripts and styles only from this site's own files, no
# inline script or handler anywhere; the SVG charts and uploaded photos are same-origin images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# 安全审计: how long the audit trail (sign-ins, role changes, personal-data views, exports) is kept.
# The Cybersecurity Law (art. 21) asks for at least six months of network logs.
AUDIT_RETENTION_DAYS = envint("HOTLINE_AUDIT_RETENTION_DAYS", 365)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("HOTLINE_AUDIT_RETENTION_DAYS must be at least 1")

# The largest request body: a reply's attachments (files × size) and a megabyte of form fields.
# Anything larger is refused by its Content-Length before it is read (RequestLimitsMiddleware).
MAX_REQUEST_BYTES = envint("HOTLINE_MAX_REQUEST_BYTES", 0)  # 0: computed from the attachment caps

ROOT_URLCONF = "hotline.urls"
CSRF_FAILURE_VIEW = "hotline.web.views.errors.csrf_failure"
WSGI_APPLICATION = "hotline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.web.navigation.navigation",
            ],
        },
    },
]


def _database() -> dj_database_url.DBConfig:
    url = env("HOTLINE_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'hotline.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one
            # failing with "database is locked" when it upgrades a read lock mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password rules (等保 level 3): long, not common, not all digits, not like the user's name, and
# mixing at least three kinds of character.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("HOTLINE_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "hotline.orgs.passwords.CharacterKindsValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "hotline" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"


# The shapes of the centre's settings below, so that code reading them is checked against their keys
# and value types (Django ignores these names: they are not upper case).
class HotlineSettings(TypedDict):
    CODE_PREFIX: str
    URGENT_SIGN_HOURS: int
    URGENT_CONTACT_HOURS: int
    SIGN_WORKING_DAYS: int
    CONTACT_WORKING_DAYS: int
    RETURN_WORKING_DAYS: int
    REVISIT_WORKING_DAYS: int
    WARNING_SHARE: float
    MAX_DISPATCHES: int
    ATTACHMENT_MAX_BYTES: int
    ATTACHMENT_MAX_FILES: int
    AUTO_DISPATCH_CONFIDENCE: float | None
    WARNING_WORKING_DAYS: int
    EXTENSION_CUTOFF: str
    PUBLIC_URL: str
    REVISIT_LINK_DAYS: int
    SAFETY_REPORT_FILE: str
    REPORT_FORMATS: list[str]
    REPORT_FONT: str
    DISPATCH_DUE: dict[str, tuple[str, int]]
    RESPONSE_DUE: dict[str, tuple[str, int]]
    EXTENSION_MAX_COUNT: int
    EXTENSION_MAX_DAYS: int
    LONG_CYCLE_MAX_DAYS: int
    PROGRESS_EVERY_DAYS: int
    APPEAL_WORKING_DAYS: int
    REPLY_REVIEW: str


class SupervisionLevel(TypedDict):
    level: str
    offset_days: int
    to: list[str]


class SupervisionSettings(TypedDict):
    LEVELS: list[SupervisionLevel]
    REPEAT_COUNT: int
    REPEAT_WINDOW_DAYS: int
    SPOT_RANDOM_SHARE: float


class OutboxSettings(TypedDict):
    DELIVERY_MAX_ATTEMPTS: int
    DELIVERY_RETRY_SECONDS: int
    TRANSPORTS: dict[str, str]
    SMS_URL: str
    SMS_TOKEN: str
    SMS_TIMEOUT: int
    FILE: Path


class EvaluationSettings(TypedDict):
    CLASS_POLICIES: dict[str, str]
    SCALE: str
    GRADE_WEIGHTS: dict[str, float]
    BASIC_SHARE: float
    WEIGHTS: dict[str, float]
    ZONE_MODE: str
    ZONE_BLUE: float
    ZONE_YELLOW: float
    ZONE_BLUE_RANK: float
    ZONE_RED_RANK: float
    MIN_REVISITS: int


# The centre's own rules. Each is a figure the centre may change; none is hard-wired elsewhere.
HOTLINE: HotlineSettings = {
    # Prefix of readable ticket codes: XN20261126000123.
    "CODE_PREFIX": env("HOTLINE_CODE_PREFIX", "XN"),
    # Hours after dispatch within which a unit signs for a same-day (tier 0) ticket.
    "URGENT_SIGN_HOURS": envint("HOTLINE_URGENT_SIGN_HOURS", 1),
    "URGENT_CONTACT_HOURS": envint("HOTLINE_URGENT_CONTACT_HOURS", 2),
    # Working days after dispatch for sign-off and first contact with the citizen (others).
    "SIGN_WORKING_DAYS": envint("HOTLINE_SIGN_WORKING_DAYS", 1),
    "CONTACT_WORKING_DAYS": envint("HOTLINE_CONTACT_WORKING_DAYS", 1),
    # 退单 return window, in working days from dispatch.
    "RETURN_WORKING_DAYS": envint("HOTLINE_RETURN_WORKING_DAYS", 1),
    # 回访 revisit window, in working days from the unit's reply.
    "REVISIT_WORKING_DAYS": envint("HOTLINE_REVISIT_WORKING_DAYS", 3),
    # A deadline turns to "warning" when less than this share of its window is left.
    "WARNING_SHARE": float(env("HOTLINE_WARNING_SHARE", "0.2") or 0.2),
    # After this many dispatches the centre names the unit and no further return is allowed.
    "MAX_DISPATCHES": envint("HOTLINE_MAX_DISPATCHES", 3),
    # Photos and documents a unit attaches to its reply: the size cap per file and per reply.
    "ATTACHMENT_MAX_BYTES": envint("HOTLINE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
    "ATTACHMENT_MAX_FILES": envint("HOTLINE_ATTACHMENT_MAX_FILES", 9),
    # 自动派单: a suggestion at or above this confidence is dispatched without a dispatcher.
    # Unset: the threshold at which the active model reached 97% precision on held-out folds.
    "AUTO_DISPATCH_CONFIDENCE": envshare("HOTLINE_AUTO_DISPATCH_CONFIDENCE"),
    # A deadline also turns to "warning" this many working days before it falls (0: share rule only).
    "WARNING_WORKING_DAYS": envint("HOTLINE_WARNING_WORKING_DAYS", 0),
    # 延期 extension requests close at this local time on the deadline's day (Xining: 17:00).
    "EXTENSION_CUTOFF": env("HOTLINE_EXTENSION_CUTOFF", "17:00"),
    # The public address in links sent to citizens (the SMS rating link), and how long one lives.
    "PUBLIC_URL": env("HOTLINE_PUBLIC_URL", "http://127.0.0.1:8000"),
    "REVISIT_LINK_DAYS": envint("HOTLINE_REVISIT_LINK_DAYS", 7),
    # The safety-hazard daily report's matters and sources (TOML); empty: hotline/reports/data/safety.toml.
    "SAFETY_REPORT_FILE": env("HOTLINE_SAFETY_REPORT_FILE", "") or "",
    # The formats the worker archives for each finished period (docx, xlsx, txt).
    "REPORT_FORMATS": [f for f in (env("HOTLINE_REPORT_FORMATS", "docx,xlsx,txt") or "").split(",") if f],
    # A TrueType/OpenType font with Chinese glyphs for report charts; empty: found among the system fonts.
    "REPORT_FONT": env("HOTLINE_REPORT_FONT", "") or "",
    # 派单时限: the centre dispatches a registered ticket within this span of its receipt, by urgency
    # (m minutes and h hours on the clock, d working days). Shenzhen: emergencies in 20 minutes.
    "DISPATCH_DUE": envspans("HOTLINE_DISPATCH_DUE", "emergency=20m,urgent=2h,normal=1d"),
    # 首次响应时限: requests from online channels get a first response (answered, dispatched or
    # closed as merged or invalid) within this span, by channel kind; kinds not listed have none.
    "RESPONSE_DUE": envspans("HOTLINE_RESPONSE_DUE", "app=2h,web=2h,mail=1d"),
    # 延期 caps: approved extensions per handling cycle, and working days per extension (吕梁: 3 and 3).
    "EXTENSION_MAX_COUNT": envint("HOTLINE_EXTENSION_MAX_COUNT", 3),
    "EXTENSION_MAX_DAYS": envint("HOTLINE_EXTENSION_MAX_DAYS", 7),
    # 长周期 long-running matters: the longest resolution time the centre grants (calendar days from
    # the dispatch), and how often the unit reports progress meanwhile (working days).
    "LONG_CYCLE_MAX_DAYS": envint("HOTLINE_LONG_CYCLE_MAX_DAYS", 180),
    "PROGRESS_EVERY_DAYS": envint("HOTLINE_PROGRESS_EVERY_DAYS", 5),
    # 申诉: a unit appeals a revisit, a dispatch or a spot-check finding within this many working days.
    "APPEAL_WORKING_DAYS": envint("HOTLINE_APPEAL_WORKING_DAYS", 3),
    # 答复审核: which replies a reviewer checks before the revisit: none, all, or risk (the risky ones).
    "REPLY_REVIEW": env("HOTLINE_REPLY_REVIEW", "none") or "none",
}

# 督 supervision: the escalation ladder. Each level fires once per ticket and deadline, at an offset
# in working days from the resolution deadline (negative: before it), and tells its recipients
# ("unit": the lead unit, "parent": the unit above it, "centre": the hotline centre).
SUPERVISION: SupervisionSettings = {
    "LEVELS": [
        {"level": "reminder", "offset_days": envint("HOTLINE_REMINDER_OFFSET_DAYS", -1), "to": ["unit"]},
        {"level": "notice", "offset_days": envint("HOTLINE_NOTICE_OFFSET_DAYS", 1), "to": ["unit", "parent"]},
        {
            "level": "public",
            "offset_days": envint("HOTLINE_PUBLIC_NOTICE_OFFSET_DAYS", 3),
            "to": ["unit", "parent", "centre"],
        },
    ],
    # Repeat complaints: this many tickets about one place and matter within the window escalate.
    "REPEAT_COUNT": envint("HOTLINE_REPEAT_COUNT", 3),
    "REPEAT_WINDOW_DAYS": envint("HOTLINE_REPEAT_WINDOW_DAYS", 30),
    # Spot checks (抽查): share of a draw taken at random rather than by risk.
    "SPOT_RANDOM_SHARE": float(env("HOTLINE_SPOT_RANDOM_SHARE", "0.3") or 0.3),
}

# The outbox: how messages leave the platform (transports) and how often they are retried.
OUTBOX: OutboxSettings = {
    # Attempts before a message is given up, and the first retry delay in seconds
    # (doubled on every further attempt).
    "DELIVERY_MAX_ATTEMPTS": envint("HOTLINE_DELIVERY_MAX_ATTEMPTS", 6),
    "DELIVERY_RETRY_SECONDS": envint("HOTLINE_DELIVERY_RETRY_SECONDS", 60),
    # Which transport carries each channel: console, file, email, sms_http.
    "TRANSPORTS": {
        "sms": env("HOTLINE_SMS_TRANSPORT", "file"),
        "email": env("HOTLINE_EMAIL_TRANSPORT", "file"),
        "inbox": env("HOTLINE_INBOX_TRANSPORT", "file"),
        "webhook": env("HOTLINE_WEBHOOK_TRANSPORT", "webhook"),
    },
    "SMS_URL": env("HOTLINE_SMS_URL", ""),
    "SMS_TOKEN": env("HOTLINE_SMS_TOKEN", ""),
    "SMS_TIMEOUT": envint("HOTLINE_SMS_TIMEOUT", 10),
    # The file transport's outbox.
    "FILE": VAR_DIR / "outbox.jsonl",
}

# 评 evaluation: how the three rates, the composite score and the zones are defined.
EVALUATION: EvaluationSettings = {
    # The share of a "basically satisfied" (基本满意) answer that counts as satisfied.
    "BASIC_SHARE": float(env("HOTLINE_BASIC_SHARE", "0.8") or 0.8),
    # The satisfaction scale offered to citizens: "three" (满意/基本满意/不满意) or "five" (adds
    # 非常满意 and 非常不满意); and the weight of each other grade in the satisfaction rate.
    "SCALE": env("HOTLINE_SATISFACTION_SCALE", "three") or "three",
    # How a reply the centre classed counts in the rates: "count" (as any), "exclude" (its revisits
    # leave the rates), "solved" (counted as resolved). Resolved replies always count.
    "CLASS_POLICIES": {
        "explained": env("HOTLINE_CLASS_EXPLAINED", "count") or "count",
        "unreasonable": env("HOTLINE_CLASS_UNREASONABLE", "exclude") or "exclude",
        "outside_remit": env("HOTLINE_CLASS_OUTSIDE_REMIT", "exclude") or "exclude",
        "legal_route": env("HOTLINE_CLASS_LEGAL_ROUTE", "exclude") or "exclude",
    },
    "GRADE_WEIGHTS": {
        "very_satisfied": float(env("HOTLINE_WEIGHT_VERY_SATISFIED", "1") or 1),
        "satisfied": float(env("HOTLINE_WEIGHT_SATISFIED", "1") or 1),
        "dissatisfied": float(env("HOTLINE_WEIGHT_DISSATISFIED", "0") or 0),
        "very_dissatisfied": float(env("HOTLINE_WEIGHT_VERY_DISSATISFIED", "0") or 0),
    },
    # Composite = weighted mean of the three rates (weights need not sum to 1; they are normalised).
    "WEIGHTS": {
        "response": float(env("HOTLINE_WEIGHT_RESPONSE", "0.2") or 0.2),
        "resolution": float(env("HOTLINE_WEIGHT_RESOLUTION", "0.4") or 0.4),
        "satisfaction": float(env("HOTLINE_WEIGHT_SATISFACTION", "0.4") or 0.4),
    },
    # Zones: "threshold" (composite ≥ BLUE → blue, ≥ YELLOW → yellow, else red) or "rank" (the top
    # BLUE_RANK share blue, the bottom RED_RANK share red).
    "ZONE_MODE": env("HOTLINE_ZONE_MODE", "threshold"),
    "ZONE_BLUE": float(env("HOTLINE_ZONE_BLUE", "95") or 95),
    "ZONE_YELLOW": float(env("HOTLINE_ZONE_YELLOW", "92") or 92),
    "ZONE_BLUE_RANK": float(env("HOTLINE_ZONE_BLUE_RANK", "0.6") or 0.6),
    "ZONE_RED_RANK": float(env("HOTLINE_ZONE_RED_RANK", "0.1") or 0.1),
    # A unit with fewer valid revisits in the period is shown but not ranked or zoned.
    "MIN_REVISITS": envint("HOTLINE_MIN_REVISITS", 10),
}

# E-mail for the e-mail transport; off (console) unless a host is given.
EMAIL_HOST = env("HOTLINE_EMAIL_HOST", "") or "localhost"
EMAIL_PORT = envint("HOTLINE_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("HOTLINE_EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = env("HOTLINE_EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = envbool("HOTLINE_EMAIL_USE_TLS", "False")
DEFAULT_FROM_EMAIL = env("HOTLINE_EMAIL_FROM", "12345@localhost") or "12345@localhost"

if HOTLINE["REPLY_REVIEW"] not in ("none", "all", "risk"):
    raise ImproperlyConfigured(f"HOTLINE_REPLY_REVIEW must be none, all or risk, not {HOTLINE['REPLY_REVIEW']!r}")
if EVALUATION["SCALE"] not in ("three", "five"):
    raise ImproperlyConfigured(f"HOTLINE_SATISFACTION_SCALE must be three or five, not {EVALUATION['SCALE']!r}")
if not set(HOTLINE["REPORT_FORMATS"]) <= {"docx", "xlsx", "txt"}:
    raise ImproperlyConfigured(f"HOTLINE_REPORT_FORMATS must list docx, xlsx or txt, not {HOTLINE['REPORT_FORMATS']}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("HOTLINE_LOG_LEVEL", "WARNING")},
}

# Open311 GeoReport v2 (/open311/v2/): the jurisdiction_id this platform answers for. A request
# naming another jurisdiction gets the spec's 404.
OPEN311_JURISDICTION = env("HOTLINE_OPEN311_JURISDICTION", "xining.12345") or "xining.12345"


# The phone system (CTI): where click-to-call requests go (a signed webhook delivery; the phone
# system is a partner client with the "calls" scope and this URL as its webhook), and the hours a
# missed call may wait for its call-back.
class CtiSettings(TypedDict):
    DIAL_URL: str
    CALLBACK_HOURS: int


CTI: CtiSettings = {
    "DIAL_URL": env("HOTLINE_CTI_DIAL_URL", "") or "",
    "CALLBACK_HOURS": envint("HOTLINE_CALLBACK_HOURS", 24),
}


# ---------------------------------------------------------------------------------------------
# Operations (issue 14 items 1-6): production server, health and metrics, logs, Redis, replica.
# Everything below only adds to the settings above; keep operations settings in this block.
# ---------------------------------------------------------------------------------------------

INSTALLED_APPS.insert(INSTALLED_APPS.index("hotline.demo"), "hotline.ops")
# First: every later middleware (and the error pages) knows the request id. WhiteNoise right after
# SecurityMiddleware serves /static/ from STATIC_ROOT in every mode, so nothing else has to.
MIDDLEWARE.insert(0, "hotline.ops.middleware.RequestMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)
# Before django-axes, which asks to be last.
MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "hotline.ops.replica.ReplicaMiddleware")

# Hashed, compressed static files with far-future caching. `hotline serve` (and `hotline demo`)
# switch it on after collectstatic; elsewhere (tests, runserver) the plain storage needs no
# manifest. A deployment that runs gunicorn by hand sets HOTLINE_STATIC_MANIFEST=True.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("HOTLINE_STATIC_MANIFEST", "False")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# WhiteNoise reads STATIC_ROOT when the first request comes; an empty one (before collectstatic,
# in tests) is fine, a missing one only makes it warn.
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass

# Redis for the cache and the sessions when HOTLINE_REDIS_URL is set, so that throttles, lockouts
# and logins hold across web processes and machines. Sessions are written through to the database
# (cached_db): Redis may be run without persistence, and a restart must not log everyone out.
REDIS_URL = env("HOTLINE_REDIS_URL", "") or ""
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("HOTLINE_CACHE_PREFIX", "hotline") or "hotline",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# A read replica for reports, insight and dashboards (hotline/ops/replica.py decides per request).
REPLICA_URL = env("HOTLINE_DATABASE_REPLICA_URL", "") or ""
if REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_URL, conn_max_age=60)
    # The replica holds the same data: tests must not create a second test database for it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["hotline.ops.replica.ReplicaRouter"]
# Seconds a client reads the primary after its last write (the replica's lag is far below it).
REPLICA_PIN_SECONDS = envint("HOTLINE_REPLICA_PIN_SECONDS", 10)

# /readyz calls the worker dead when no job started for this long (the fastest job runs every minute).
WORKER_STALE_SECONDS = envint("HOTLINE_WORKER_STALE_SECONDS", 300)
# Who may read /metrics: a comma-separated list of client addresses (the Prometheus server);
# empty: loopback only.
METRICS_ALLOWED = [a for a in (env("HOTLINE_METRICS_ALLOWED", "") or "").split(",") if a]

# Structured logs: one JSON object per line with the request id, on standard error
# (HOTLINE_LOG_FORMAT=text for a developer's terminal).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hotline.ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text" if env("HOTLINE_LOG_FORMAT", "json") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": env("HOTLINE_LOG_LEVEL", "WARNING")},
    "loggers": {
        # One line per request (method, path, status, duration, request id) at INFO.
        "hotline.access": {"level": env("HOTLINE_ACCESS_LOG_LEVEL", "INFO"), "propagate": True},
    },
}

# Errors to Sentry (or a self-hosted GlitchTip) when a DSN is set; nothing leaves the machine otherwise.
SENTRY_DSN = env("HOTLINE_SENTRY_DSN", "") or ""
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("HOTLINE_SENTRY_ENVIRONMENT", "production") or "production",
        # Citizens' names and phones never go to an error tracker.
        send_default_pii=False,
        traces_sample_rate=0.0,
    )
# --------------------------------- end of the operations block ---------------------------------
