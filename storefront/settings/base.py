"""Settings shared by every environment.

The environment is read here and only here (django-environ); local, test and
production modules change defaults, never read variables of their own.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "storefront.accounts.apps.StoreAdminConfig",  # django.contrib.admin, password login required (no SMS-only)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "storefront.core",
    "storefront.accounts",
    "storefront.notifications",
    "storefront.outbox",
    "storefront.catalog",
    "storefront.cart",
    "orders",
    "payments",
    "logistics",
    "logistics.postal",
    "loyalty",
    "aftersales",
]

MIDDLEWARE = [
    "storefront.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "storefront.urls"
WSGI_APPLICATION = "storefront.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "storefront.core.context_processors.store",
            ],
        },
    },
]

# --- Database: PostgreSQL only. DATABASE_URL is set by the run/test commands
# (embedded pgserver) or by the operator. There is no SQLite fallback.
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/storefront")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise environ.ImproperlyConfigured("DATABASE_URL must point at PostgreSQL")
# Persistent connections: closing them per request costs 3-9x throughput (PERFORMANCE.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Django turns psycopg's prepared statements off (prepare_threshold None) for the sake of connection poolers in
# transaction mode, which we do not run. Nothing is prepared by itself (Django's cursors bind on the client);
# only a statement executed with prepare=True on a server-binding cursor is (order placing, orders/services/placing).
# DB_PREPARED_STATEMENTS=false (behind a pooler in transaction mode) turns them off again: the statement is then
# parsed and planned on every order.
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    1_000_000 if env.bool("DB_PREPARED_STATEMENTS", default=True) else None
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "storefront.core.redis_cache.RedisCache",  # Django's, one client per pool
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="store"),
        "TIMEOUT": 300,
    }
}
# How long a web worker trusts its own copy of the catalog cache versions (catalog/cache.py): a price or stock
# change made by another process shows on that worker's cached pages at most this many seconds later.
STORE_CATALOG_LOCAL_SECONDS = env.float("STORE_CATALOG_LOCAL_SECONDS", default=1.0)
# How much of the shared pages (compressed: a product page is 3–6 KB) each web worker keeps in its own memory.
STORE_CATALOG_LOCAL_BYTES = env.int("STORE_CATALOG_LOCAL_BYTES", default=64 * 1024 * 1024)
# Feed pictures are fetched from the internet only: loopback/private/link-local hosts are refused unless allowed.
STORE_CATALOG_PICTURES_PRIVATE_HOSTS = env.bool("STORE_CATALOG_PICTURES_PRIVATE_HOSTS", default=False)
SESSION_ENGINE = "storefront.core.sessions"  # cached_db, one statement per update (see the module)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time: Russian first, English second; UTC stored, Moscow shown.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Moscow"

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# Uploaded and generated images live outside the code tree.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Celery: queues split by kind so one kind cannot starve another.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = False

# --- Security (production tightens these through the environment).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'", *env.list("CSP_FORM_ACTION_EXTRA", default=[])],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "storefront.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "storefront.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Our own settings.
STORE_SITE_NAME = env("STORE_SITE_NAME", default="Мост")
STORE_BASE_URL = env("STORE_BASE_URL", default="http://127.0.0.1:8000")
# How many proxies of ours append to X-Forwarded-For in front of Django (0: Django is reached directly and the header
# is ignored). Rate limits and the payment webhook allow-list use the address this yields (core/http.py client_ip).
STORE_TRUSTED_PROXY_HOPS = env.int("STORE_TRUSTED_PROXY_HOPS", default=0)
STORE_OTP_TTL_SECONDS = env.int("STORE_OTP_TTL_SECONDS", default=300)
STORE_OTP_MAX_ATTEMPTS = env.int("STORE_OTP_MAX_ATTEMPTS", default=5)
STORE_OTP_SEND_LIMIT_PER_PHONE = env.int("STORE_OTP_SEND_LIMIT_PER_PHONE", default=5)  # per hour
STORE_OTP_SEND_LIMIT_PER_IP = env.int("STORE_OTP_SEND_LIMIT_PER_IP", default=20)  # per hour
STORE_OTP_VERIFY_LIMIT_PER_IP = env.int("STORE_OTP_VERIFY_LIMIT_PER_IP", default=30)  # per hour
STORE_OTP_RESEND_SECONDS = env.int("STORE_OTP_RESEND_SECONDS", default=60)  # cooldown between codes to one phone
STORE_SMS_BACKEND = env("STORE_SMS_BACKEND", default="storefront.notifications.backends.ConsoleSmsBackend")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="shop@example.ru")
STORE_OUTBOX_LAG_ALERT_SECONDS = env.int("STORE_OUTBOX_LAG_ALERT_SECONDS", default=120)
STORE_HEALTH_CELERY_TIMEOUT = env.float("STORE_HEALTH_CELERY_TIMEOUT", default=1.0)
# Payments through the YooKassa protocol (DOMAIN.md 6). Production: the real API and the shop's own keys;
# local/test point at the sandbox (`python -m payments.sandbox`). Webhooks are accepted only from these networks.
STORE_YOOKASSA_SHOP_ID = env("STORE_YOOKASSA_SHOP_ID", default="")
STORE_YOOKASSA_SECRET_KEY = env("STORE_YOOKASSA_SECRET_KEY", default="")
STORE_YOOKASSA_API_URL = env("STORE_YOOKASSA_API_URL", default="https://api.yookassa.ru/v3/")
STORE_YOOKASSA_TIMEOUT = env.float("STORE_YOOKASSA_TIMEOUT", default=15.0)  # seconds per HTTP attempt
STORE_YOOKASSA_RETRIES = env.int("STORE_YOOKASSA_RETRIES", default=3)  # on 202/429/5xx/connection errors
STORE_YOOKASSA_RETRY_BACKOFF = env.float("STORE_YOOKASSA_RETRY_BACKOFF", default=0.5)  # seconds, doubling
STORE_YOOKASSA_WEBHOOK_ALLOWLIST = env.list(
    "STORE_YOOKASSA_WEBHOOK_ALLOWLIST",
    default=[
        "77.75.153.0/25",
        "77.75.156.11/32",
        "77.75.156.35/32",
        "77.75.154.128/25",
        "185.71.76.0/27",
        "185.71.77.0/27",
        "2a02:5180:0:1509::/64",
        "2a02:5180:0:2655::/64",
        "2a02:5180:0:1533::/64",
        "2a02:5180:0:2669::/64",
    ],
)
STORE_PAYMENTS_SANDBOX_PORT = env.int("STORE_PAYMENTS_SANDBOX_PORT", default=8765)
# Pay later (the provider's sber_bnpl, DOMAIN.md 6: 1 000–150 000 ₽): offered only for totals in this range.
STORE_PAY_LATER_ENABLED = env.bool("STORE_PAY_LATER_ENABLED", default=True)
STORE_PAY_LATER_MIN_RUB = env("STORE_PAY_LATER_MIN_RUB", default="1000.00")
STORE_PAY_LATER_MAX_RUB = env("STORE_PAY_LATER_MAX_RUB", default="150000.00")
# Pay on delivery (payments/cod.py; the admin's COD pages show the values in force): offered up to this order total,
# not for products in the admin's COD exclusions, not to a shopper (account or phone) with this many refused
# parcels not cleared by support. A collected amount the post has not remitted after STORE_COD_REMIT_DAYS shows in
# the reconciliation report (manage.py reconcile_cod).
STORE_COD_ENABLED = env.bool("STORE_COD_ENABLED", default=True)
STORE_COD_MAX_RUB = env("STORE_COD_MAX_RUB", default="50000.00")
STORE_COD_REFUSALS_LIMIT = env.int("STORE_COD_REFUSALS_LIMIT", default=1)
STORE_COD_REMIT_DAYS = env.int("STORE_COD_REMIT_DAYS", default=14)
# Orders awaiting payment: a reminder after this many minutes, cancelled (stock released) after this many hours.
STORE_PAYMENT_REMINDER_MINUTES = env.int("STORE_PAYMENT_REMINDER_MINUTES", default=30)
STORE_PAYMENT_ABANDON_HOURS = env.int("STORE_PAYMENT_ABANDON_HOURS", default=24)
# Orders: number prefix ("MS-2611-000123"), how long a guest's signed order link works, and the flat delivery
# cost per method (roubles, as text for Decimal) until logistics brings real tariffs.
STORE_ORDER_NUMBER_PREFIX = env("STORE_ORDER_NUMBER_PREFIX", default="MS")
STORE_ORDER_GUEST_LINK_DAYS = env.int("STORE_ORDER_GUEST_LINK_DAYS", default=180)
STORE_DELIVERY_COSTS_RUB = {
    "post_pickup": env("STORE_DELIVERY_COST_POST_PICKUP_RUB", default="299.00"),
    "courier": env("STORE_DELIVERY_COST_COURIER_RUB", default="499.00"),
}
# The postal partner (DOMAIN.md 1 and 3; logistics/postal). Production: the partner's endpoints and the contract's
# credentials; local/test point at the sandbox (`python -m logistics.postal.sandbox`, started by `make run`).
STORE_POST_SINGLE_URL = env("STORE_POST_SINGLE_URL", default="https://tracking.russianpost.ru/rtm34")
STORE_POST_BATCH_URL = env("STORE_POST_BATCH_URL", default="https://tracking.russianpost.ru/fc")
STORE_POST_OTPRAVKA_URL = env("STORE_POST_OTPRAVKA_URL", default="https://otpravka-api.pochta.ru/1.0/")
STORE_POST_LOGIN = env("STORE_POST_LOGIN", default="")
STORE_POST_PASSWORD = env("STORE_POST_PASSWORD", default="")
STORE_POST_OTPRAVKA_TOKEN = env("STORE_POST_OTPRAVKA_TOKEN", default="")
STORE_POST_TIMEOUT = env.float("STORE_POST_TIMEOUT", default=30.0)  # seconds per HTTP attempt
STORE_POST_RETRIES = env.int("STORE_POST_RETRIES", default=3)
STORE_POST_RETRY_BACKOFF = env.float("STORE_POST_RETRY_BACKOFF", default=1.0)  # seconds, doubling
# Circuit breaker per service: after this many failed calls in a row, no calls for this many seconds.
STORE_POST_BREAKER_FAILURES = env.int("STORE_POST_BREAKER_FAILURES", default=5)
STORE_POST_BREAKER_SECONDS = env.float("STORE_POST_BREAKER_SECONDS", default=300.0)
# Tracking sync: barcodes per ticket (3000 allowed, 500 in practice), minutes before a ticket's first poll and
# between polls (the partner's rule: 15), how often an active parcel is asked about again.
STORE_POST_TICKET_SIZE = env.int("STORE_POST_TICKET_SIZE", default=500)
STORE_POST_POLL_MINUTES = env.int("STORE_POST_POLL_MINUTES", default=15)
STORE_POST_REFRESH_MINUTES = env.int("STORE_POST_REFRESH_MINUTES", default=180)
# Ticket answers stored at once by one sync pass (threads, each with its own database connection).
STORE_POST_SYNC_WORKERS = env.int("STORE_POST_SYNC_WORKERS", default=3)
# Days a post office keeps a parcel (unverified: the partner's current rule may differ by item kind) and how many
# days before that the shopper is reminded.
STORE_POST_STORAGE_DAYS = env.int("STORE_POST_STORAGE_DAYS", default=30)
STORE_POST_REMINDER_DAYS = env.int("STORE_POST_REMINDER_DAYS", default=5)
# Whose clock times the sync: "system", or "sandbox" (local/test: the sandbox's clock, which the demo speeds up).
STORE_POST_CLOCK = env("STORE_POST_CLOCK", default="system")
STORE_POST_SANDBOX_PORT = env.int("STORE_POST_SANDBOX_PORT", default=8766)
