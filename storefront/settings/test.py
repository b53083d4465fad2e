"""Test run: the same real PostgreSQL and Redis, faster hashing, no real SMS/email."""

from .base import *  # noqa: F403
from .base import (
    CACHES,
    CONTENT_SECURITY_POLICY,
    STORE_PAYMENTS_SANDBOX_PORT,
    STORE_POST_SANDBOX_PORT,
    STORE_YOOKASSA_WEBHOOK_ALLOWLIST,
    env,
)

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORE_SMS_BACKEND = "storefront.notifications.backends.MemorySmsBackend"
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="test")
STORE_CATALOG_LOCAL_SECONDS = 0  # tests clear Redis between tests; a worker-local copy would outlive that
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Payments: the sandbox (tests start their own on a free port and point STORE_YOOKASSA_API_URL at it),
# fast retries, webhooks from this machine.
STORE_YOOKASSA_SHOP_ID = "100500"
STORE_YOOKASSA_SECRET_KEY = "test_sandbox_secret_key"
STORE_YOOKASSA_API_URL = f"http://127.0.0.1:{STORE_PAYMENTS_SANDBOX_PORT}/v3/"
STORE_YOOKASSA_TIMEOUT = 5.0
STORE_YOOKASSA_RETRY_BACKOFF = 0.01
STORE_YOOKASSA_WEBHOOK_ALLOWLIST = [*STORE_YOOKASSA_WEBHOOK_ALLOWLIST, "127.0.0.1/32", "::1/128"]
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append("http://127.0.0.1:*")

# Postal partner: tests start their own sandbox on a free port and point these at it; fast retries, no clock
# from the environment (tests inject theirs).
STORE_POST_SINGLE_URL = f"http://127.0.0.1:{STORE_POST_SANDBOX_PORT}/rtm34"
STORE_POST_BATCH_URL = f"http://127.0.0.1:{STORE_POST_SANDBOX_PORT}/fc"
STORE_POST_OTPRAVKA_URL = f"http://127.0.0.1:{STORE_POST_SANDBOX_PORT}/1.0/"
STORE_POST_LOGIN = "store"
STORE_POST_PASSWORD = "sandbox-password"
STORE_POST_OTPRAVKA_TOKEN = "sandbox-token"
STORE_POST_TIMEOUT = 5.0
STORE_POST_RETRY_BACKOFF = 0.01
STORE_POST_SYNC_WORKERS = 1  # other threads cannot see a test's uncommitted rows; threaded runs are tested apart

# No collectstatic before tests: whitenoise looks up files per request instead of warning that STATIC_ROOT is missing.
WHITENOISE_AUTOREFRESH = True
