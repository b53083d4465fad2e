"""Test run: the same real PostgreSQL and Redis, faster hashing, no real SMS/email."""

from .base import *  # noqa: F403
from .base import CACHES, env

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORE_SMS_BACKEND = "storefront.notifications.backends.MemorySmsBackend"
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="test")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
